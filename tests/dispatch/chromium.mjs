// What every Chromium test of the console does first: a seeded head office (headoffice.mjs),
// Debian's Chromium through playwright-core (no browser download), one page in it that records
// script errors, steps that stop after the first failure with a screenshot of it, screenshots
// without the toasts, the API as the signed-in browser calls it, and signing in and out.
//
//   let ho;
//   let page;
//   const { step, byTest, shoot, api, signIn, signOut, pageErrors } = consoleSession({
//     name: 'kb', jobs: 4, shots: '/tmp/kb-shots', ready: (s) => ({ ho, page } = s),
//   });
//
// `consoleSession` registers the node:test hooks that start and stop everything; `ready` hands
// the file the head office and the page once they are there.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, startHeadOffice } from './headoffice.mjs';

const require = createRequire(join(ROOT, 'ui', 'package.json'));
const { chromium } = require('playwright-core');

/** Where failures' screenshots go. */
export const FAILED_SHOTS = join(ROOT, 'target', 'e2e-screenshots');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/**
 * `name` prefixes the failure screenshots (`failed-<name>-<step>.png`); `shots` is where
 * `shoot` writes; `jobs` and `prepare` go to `startHeadOffice`; `viewport`, `locale` and
 * `timezoneId` make the browser context; `ready(session)` is called once the page is open.
 */
export function consoleSession({
  name,
  shots = FAILED_SHOTS,
  jobs = 24,
  prepare = null,
  viewport = { width: 1366, height: 768 },
  locale = 'en-GB',
  timezoneId = undefined,
  ready = () => {},
} = {}) {
  const session = {
    /** The running head office (`base`, `stop()`...), once `before` has run. */
    ho: null,
    browser: null,
    context: null,
    page: null,
    /** Script errors and console errors seen on the page (a refused fetch's log line is not one). */
    pageErrors: [],
    /** The step that failed, if one did. */
    failed: null,
  };

  before(async () => {
    mkdirSync(shots, { recursive: true });
    mkdirSync(FAILED_SHOTS, { recursive: true });
    session.ho = await startHeadOffice({ jobs, prepare });
    session.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
    });
    session.context = await session.browser.newContext({ viewport, locale, ...(timezoneId ? { timezoneId } : {}) });
    const page = await session.context.newPage();
    session.page = page;
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => session.pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A refusal answered to a fetch (409, 400) is expected in these tests; a script error is not.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) session.pageErrors.push(`console: ${m.text()}`);
    });
    ready(session);
  });

  after(async () => {
    await session.browser?.close();
    await session.ho?.stop();
  });

  /** A test that runs only while every earlier step passed; a failure leaves a screenshot. */
  session.step = (title, fn) =>
    test(title, async () => {
      if (session.failed) throw new Error(`not run: an earlier step failed (${session.failed})`);
      try {
        await fn();
      } catch (e) {
        session.failed = title;
        await session.page
          ?.screenshot({ path: join(FAILED_SHOTS, `failed-${name}-${title.replace(/\W+/g, '-')}.png`), fullPage: true })
          .catch(() => {});
        throw e;
      }
    });

  session.byTest = (id) => session.page.getByTestId(id);

  /** A screenshot of what the window shows (the toasts hidden), `<shot>.png`, and of the whole page, `<shot>-full.png`. */
  session.shoot = async (shot) => {
    const { page } = session;
    const hide = (v) =>
      page.evaluate((value) => {
        const t = document.querySelector('.toasts');
        if (t) t.style.display = value;
      }, v);
    await hide('none');
    await page.screenshot({ path: join(shots, `${shot}.png`) });
    await page.screenshot({ path: join(shots, `${shot}-full.png`), fullPage: true });
    await hide('');
  };

  /** The API as the signed-in browser calls it (same cookie jar); `null` for a 204. */
  session.api = async (method, path, body) => {
    const { page, ho } = session;
    const current = await page.request.get(`${ho.base}/api/v1/auth/session`);
    const csrf = current.ok() ? (await current.json()).csrf_token : '';
    const r = await page.request.fetch(`${ho.base}${path}`, { method, headers: { 'x-csrf-token': csrf }, data: body });
    assert.ok(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`);
    return r.status() === 204 ? null : r.json();
  };

  /** Signs in from the sign-in screen and waits for the board. */
  session.signIn = async (user, password) => {
    await session.byTest('sign-in-user').fill(user);
    await session.byTest('sign-in-password').fill(password);
    await session.byTest('sign-in-submit').click();
    await session.byTest('board-screen').waitFor();
  };

  session.signOut = async () => {
    await session.byTest('sign-out').click();
    await session.byTest('sign-in-submit').waitFor();
  };

  return session;
}
