// The dispatcher console in Firefox: Debian's Firefox ESR driven over WebDriver BiDi by
// puppeteer-core (no browser download), against the real head office binary with demo data.
// The Chromium test (console.e2e.test.mjs) walks the whole service loop; this one checks that the
// same console works in the other engine the issue names: sign-in, the board with its lanes,
// a review page, the SLA watch and the KPIs, the Chinese catalogue, sign-out, and no script
// error or CSP violation on the way; and an admin adds photos to a knowledge article (picked,
// and dropped together with a text file, which is refused) and sees them on the saved article.
// Screenshots: target/e2e-screenshots/firefox-*.png.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { ROOT, startHeadOffice } from "./headoffice.mjs";

const require = createRequire(join(ROOT, "ui", "package.json"));
const puppeteer = require("puppeteer-core");

const FIREFOX = process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr";
const SHOTS = join(
  process.env.CARGO_TARGET_DIR || join(ROOT, "target"),
  "e2e-screenshots",
);

let ho;
let browser;
let page;
let profile;
const pageErrors = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ho = await startHeadOffice();
  profile = mkdtempSync(join(tmpdir(), "fieldwork-firefox-"));
  browser = await puppeteer.launch({
    browser: "firefox",
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    // No update checks, telemetry or remote settings: this machine's network is closed.
    extraPrefsFirefox: {
      "app.update.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "toolkit.telemetry.enabled": false,
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
    },
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (
      m.type() === "error" &&
      !/Failed to load resource|status of 401/.test(m.text())
    ) {
      pageErrors.push(`console: ${m.text()}`);
    }
  });
});

after(async () => {
  await browser?.close();
  await ho?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const sel = (id) => `[data-testid="${id}"]`;
const text = (id) => page.$eval(sel(id), (e) => e.textContent.trim());
const count = (selector) => page.$$eval(selector, (es) => es.length);

test("the dispatcher console works in Firefox", async (t) => {
  const browserVersion = await browser.version();
  t.diagnostic(`browser: ${browserVersion}`);
  assert.match(browserVersion, /firefox/i);

  await page.goto(`${ho.base}/`);
  await page.waitForSelector(sel("sign-in-user"));
  await page.type(sel("sign-in-user"), "dispatcher");
  await page.type(sel("sign-in-password"), "not-the-password");
  await page.click(sel("sign-in-submit"));
  await page.waitForSelector(sel("sign-in-wrong"));
  await page.$eval(sel("sign-in-password"), (e) => (e.value = ""));
  await page.type(sel("sign-in-password"), "dispatcher-demo");
  await page.click(sel("sign-in-submit"));
  await page.waitForSelector(sel("board-screen"));
  assert.match(await text("header-user"), /dispatcher/);

  // The board: the queue and a lane per demo technician, with cards.
  await page.waitForSelector(`${sel("queue")} ${sel("job-card")}`);
  assert.equal(await count(sel("lane")), 3, "three demo technicians");
  assert.ok((await count(sel("job-card"))) > 0);
  await page.screenshot({
    path: join(SHOTS, "firefox-board.png"),
    fullPage: true,
  });

  // A card opens the job's review.
  await page.click(`${sel("job-card")} ${sel("card-link")}`);
  await page.waitForSelector(sel("review-screen"));
  assert.match(await text("review-number"), /^WO-\d{4}-\d{6}$/);
  await page.screenshot({
    path: join(SHOTS, "firefox-review.png"),
    fullPage: true,
  });

  // SLA watch and KPIs render their content.
  await page.click(sel("nav-sla"));
  await page.waitForSelector(sel("sla-screen"));
  await page.click(sel("nav-kpis"));
  await page.waitForSelector(sel("kpi-screen"));
  await page.screenshot({
    path: join(SHOTS, "firefox-kpis.png"),
    fullPage: true,
  });

  // The Chinese catalogue, switched without a reload.
  await page.select(sel("language"), "zh");
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
  assert.match(
    await text("nav-kpis"),
    /[\u4e00-\u9fff]/,
    "the navigation is in Chinese",
  );
  await page.select(sel("language"), "en");

  // Signing out ends the session: the sign-in form comes back and the API refuses the cookie.
  await page.click(sel("sign-out"));
  await page.waitForSelector(sel("sign-in-user"));
  const status = await page.evaluate(
    async () => (await fetch("/api/v1/auth/session")).status,
  );
  assert.equal(status, 401);

  assert.deepEqual(pageErrors, [], "no script error or CSP violation");
});

test("an admin adds photos to a knowledge article in Firefox", async () => {
  const camera = join(ROOT, "testdata", "photos", "camera", "DSCN0010.jpg");
  const portrait = join(ROOT, "testdata", "photos", "orientation", "Portrait_6.jpg");
  await page.goto(`${ho.base}/`);
  await page.waitForSelector(sel("sign-in-user"));
  await page.type(sel("sign-in-user"), "admin");
  await page.type(sel("sign-in-password"), "admin-demo");
  await page.click(sel("sign-in-submit"));
  await page.waitForSelector(sel("board-screen"));
  await page.goto(`${ho.base}/#/kb/new`);
  await page.waitForSelector(sel("kb-editor"));
  await page.select(sel("kb-category"), "refrigerator");
  await page.type(sel("kb-title"), "Fridge too warm: condenser coils clogged");
  await page.type(sel("kb-step-text"), "Vacuum the condenser coils behind the kick plate.");

  // Picked with the file chooser.
  const input = await page.$(sel("kb-photo-input"));
  await input.uploadFile(camera);
  await page.waitForSelector(`${sel("kb-photos")}[data-count="1"]`);

  // Dropped together with a text file: the text file is refused, the photo is added.
  await page.evaluate(
    (files) => {
      const dt = new DataTransfer();
      for (const [name, type, b64] of files) {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], name, { type }));
      }
      const zone = document.querySelector('[data-testid="kb-photos"]');
      for (const kind of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(kind, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    [
      ["Portrait_6.jpg", "image/jpeg", readFileSync(portrait).toString("base64")],
      ["notes.txt", "text/plain", Buffer.from("just notes\n").toString("base64")],
    ],
  );
  await page.waitForSelector(`${sel("kb-upload")}[data-state="failed"]`);
  assert.match(
    await text("kb-upload-error"),
    /This file is not a picture, or it is damaged\./,
  );
  await page.waitForSelector(`${sel("kb-photos")}[data-count="2"]`);
  const loaded = (selector) =>
    page.waitForFunction(
      (s) => {
        const imgs = [...document.querySelectorAll(s)];
        return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      {},
      selector,
    );
  await loaded(`${sel("kb-photo")} img`);
  await page.$eval(sel("kb-photos"), (e) => e.scrollIntoView());
  await page.screenshot({ path: join(SHOTS, "firefox-kb-editor-photos.png") });

  await page.click(sel("kb-save"));
  await page.waitForSelector(`${sel("kb-detail")}[data-latest="1"]`);
  assert.equal(await count(sel("preview-photo")), 2);
  await loaded(`${sel("preview-photo")} img`);
  await page.click(sel("preview-photo"));
  await page.waitForFunction(
    () => document.querySelector('dialog[open] [data-testid="picture-full"]')?.naturalWidth > 0,
  );
  await page.screenshot({ path: join(SHOTS, "firefox-kb-photo-full.png") });
  await page.keyboard.press("Escape");
  assert.deepEqual(pageErrors, [], "no script error or CSP violation");
});
