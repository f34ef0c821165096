// End-to-end (issue 12, technician app): nothing the customer or technician entered is dropped,
// and a deleted photo can be taken back — clicked as a person would in the real desktop app
// (tauri-driver → WebKitWebDriver, under Xvfb: tests/desktop/run.sh), checked with the CLI on the
// same data folder.
//
//  1. Complete screen: a rating and comment entered but not saved with "Save rating" are saved by
//     "Complete job" (the toast says so); a comment without a rating stops completion with an
//     explanation under the stars.
//  3. Deleting a photo offers Undo for a few seconds: Undo keeps it; the deletion is recorded only
//     when the toast runs out, or at once when the technician leaves the job.
//  5. The Today heading follows the tab; photo kinds are capitalised labels and the viewer says
//     "1 of 2"; a caption applies to its batch only, and can be edited after import (Enter saves,
//     Escape cancels); toasts sit clear of the Complete button.
//     Screenshots (target/e2e-screenshots/nothing-lost-*.png) for the eye: toasts, headings in
//     English and Chinese.
//
// Needs target/debug/fieldwork-desktop (UI embedded) and target/debug/fieldwork (make build).
// Overrides: FIELDWORK_DESKTOP_BIN, FIELDWORK_CLI_BIN, TAURI_DRIVER_BIN, WEBKIT_WEBDRIVER_BIN.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requiredItems } from '../checklist.mjs';
import { freePort } from './procs.mjs';
import { Session, waitForDriver } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP = process.env.FIELDWORK_DESKTOP_BIN ?? path.join(ROOT, 'target/debug/fieldwork-desktop');
const CLI = process.env.FIELDWORK_CLI_BIN ?? path.join(ROOT, 'target/debug/fieldwork');
const DRIVER =
  process.env.TAURI_DRIVER_BIN ??
  [path.join(os.homedir(), '.cargo/bin/tauri-driver'), '/usr/local/bin/tauri-driver'].find((p) =>
    fs.existsSync(p),
  );
const NATIVE = process.env.WEBKIT_WEBDRIVER_BIN ?? '/usr/bin/WebKitWebDriver';
const SHOTS = path.join(ROOT, 'target/e2e-screenshots');
const PHOTO = path.resolve(ROOT, 'testdata/photos/orientation/Portrait_6.jpg');
const SIGNER = 'Li Wei 李伟';
const RATING_COMMENT = 'Fixed in no time, very polite';
const RESOLUTION = 'Replaced the worn part; appliance tested and working.';
/** The Undo time of a deleted photo (ui/src/technician/job/photoDeletions.svelte.ts UNDO_MS). */
const UNDO_MS = 6_000;

function requireFile(file, what, hint) {
  if (!file || !fs.existsSync(file)) throw new Error(`${what} not found at ${file ?? '(nowhere)'}. ${hint}`);
}

function cli(dataDir, ...args) {
  return JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, '--json', ...args], { encoding: 'utf8' }));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

async function stopDriver(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  killGroup(child, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
  if (!done) {
    killGroup(child, 'SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
  killGroup(child, 'SIGKILL');
}

/** Moves a job on to in progress with the CLI, from wherever it is. */
function startWork(dataDir, id) {
  const order = ['en_route', 'on_site', 'in_progress'];
  const at = cli(dataDir, 'job', 'show', id).status;
  for (const to of order.slice(order.indexOf(at) + 1)) cli(dataDir, 'job', 'status', id, to);
  assert.equal(cli(dataDir, 'job', 'show', id).status, 'in_progress');
}

describe('the technician app keeps what was entered (issue 12: rating, photo undo, labels)', () => {
  const t0 = Date.now();
  let tmp;
  let dataDir;
  let driver;
  let driverLog = '';
  let base;
  let session;
  let rated; // the job completed with an unsaved rating: { id, number }
  let pictured; // the job whose photos are deleted: { id, number, photos: [id, id] }
  let failed = false;

  async function newSession() {
    session = await Session.create(base, {
      alwaysMatch: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } },
    });
    await session.waitFor('[data-testid="nav-today"]', { timeout: 20_000 });
  }

  async function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await session.executeAsync(
      'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));',
    );
    fs.writeFileSync(path.join(SHOTS, `nothing-lost-${name}.png`), await session.screenshot());
  }

  /** The rectangles of the elements matching `css`, in the page's coordinates. */
  function rects(css) {
    return session.execute(
      'return [...document.querySelectorAll(arguments[0])].map((e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });',
      [css],
    );
  }

  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

  const shownPhotos = async () =>
    Promise.all((await session.findAll('[data-testid="photo"]')).map((p) => p.attribute('data-photo-id')));
  const storedPhotos = () => cli(dataDir, 'photo', 'list', pictured.id).map((p) => p.id);

  before(async () => {
    requireFile(APP, 'fieldwork-desktop', 'Build it: make build');
    requireFile(CLI, 'fieldwork CLI', 'Build it: make build');
    requireFile(DRIVER, 'tauri-driver', 'Install it: make e2e-deps');
    requireFile(NATIVE, 'WebKitWebDriver', 'Install it: apt-get install webkit2gtk-driver');
    requireFile(PHOTO, 'test photo', 'testdata/photos is missing from the checkout');
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      throw new Error('No display: run under Xvfb, e.g. tests/desktop/run.sh');
    }

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-e2e-lost-'));
    dataDir = path.join(tmp, 'data');
    cli(dataDir, 'seed', '--jobs', '300', '--seed', '7');
    const today = cli(dataDir, 'jobs', '--today').filter((j) =>
      ['scheduled', 'assigned', 'en_route', 'on_site', 'in_progress'].includes(j.status),
    );
    assert.ok(today.length >= 2, `two of today’s jobs to work on: ${JSON.stringify(today.map((j) => j.status))}`);
    [rated, pictured] = today.map((j) => ({ id: j.id, number: j.number }));

    // The rated job: everything but the signature done with the CLI, so the Complete screen
    // asks for the signature only.
    startWork(dataDir, rated.id);
    const detail = cli(dataDir, 'job', 'show', rated.id);
    for (const item of requiredItems(detail)) {
      const value = { checkbox: 'yes', number: '230', choice: item.options?.[0], text: 'ok' }[item.kind];
      cli(dataDir, 'job', 'checklist', rated.id, item.key, String(value));
    }
    cli(dataDir, 'job', 'resolution', rated.id, RESOLUTION);
    for (const kind of detail.job_type.required_photo_kinds) cli(dataDir, 'photo', 'add', rated.id, PHOTO, '--kind', kind);

    // The pictured job: in progress with two photos of different kinds.
    startWork(dataDir, pictured.id);
    cli(dataDir, 'photo', 'add', pictured.id, PHOTO, '--kind', 'before', '--caption', 'E2E before');
    cli(dataDir, 'photo', 'add', pictured.id, PHOTO, '--kind', 'after');
    pictured.photos = cli(dataDir, 'photo', 'list', pictured.id).map((p) => p.id);
    assert.equal(pictured.photos.length, 2);

    const port = await freePort();
    const nativePort = await freePort();
    base = `http://127.0.0.1:${port}`;
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    driver = spawn(DRIVER, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FIELDWORK_DATA_DIR: dataDir,
        HOME: home,
        XDG_DATA_HOME: path.join(home, '.local/share'),
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        LANG: 'C.UTF-8',
        LANGUAGE: 'en',
      },
    });
    const log = (d) => {
      driverLog = (driverLog + d.toString()).slice(-20_000);
    };
    driver.stdout.on('data', log);
    driver.stderr.on('data', log);
    await waitForDriver(base);
    await newSession();
  });

  after(async () => {
    try {
      if (session) await session.delete().catch(() => {});
    } finally {
      await stopDriver(driver);
      if (failed && driverLog) console.error(`--- tauri-driver output (tail) ---\n${driverLog.slice(-4000)}`);
      if (tmp && !process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true });
      else if (tmp) console.error(`data kept in ${tmp}`);
      console.error(`e2e run time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });

  // Each test stands alone on its own job; a failure leaves a screenshot.
  function test(name, fn) {
    it(name, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        if (session) await shot(`failure-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
        throw e;
      }
    });
  }

  test('point 5: the Today heading names the tab chosen (Today, Tomorrow, This week)', async () => {
    await session.hash('#/today');
    const heading = await session.waitFor('[data-testid="today-heading"]');
    assert.equal((await heading.text()).trim(), 'Today');
    for (const [tab, words] of [
      ['tomorrow', 'Tomorrow'],
      ['week', 'This week'],
      ['today', 'Today'],
    ]) {
      await (await session.find(`[data-testid="tab-${tab}"]`)).click();
      await session.until(`heading ${words}`, async () => (await heading.text()).trim() === words);
      if (tab === 'tomorrow') await shot('today-tomorrow-tab');
    }
  });

  test('point 1: a comment without a rating stops "Complete job", saying why', async () => {
    await session.hash(`#/job/${rated.id}/complete`);
    await session.waitFor(`[data-testid="complete-screen"][data-job-id="${rated.id}"]`, { timeout: 15_000 });

    // The customer signs on the pad with the mouse.
    const name = await session.waitFor('[data-testid="signature-name"]');
    await name.clear();
    await name.sendKeys(SIGNER);
    const pad = await session.waitFor('[data-testid="signature-pad"]');
    await session.execute('arguments[0].scrollIntoView({ block: "center" });', [pad.ref()]);
    const stroke = (points) => ({
      type: 'pointer',
      id: 'mouse',
      parameters: { pointerType: 'mouse' },
      actions: [
        { type: 'pointerMove', origin: pad.ref(), x: points[0][0], y: points[0][1], duration: 0 },
        { type: 'pointerDown', button: 0 },
        ...points.slice(1).map(([x, y]) => ({ type: 'pointerMove', origin: pad.ref(), x, y, duration: 16 })),
        { type: 'pointerUp', button: 0 },
      ],
    });
    await session.actions([stroke([[-150, 20], [-120, -30], [-90, 25], [-60, -35], [-30, 30], [0, -20], [30, 25], [60, -10]])]);
    await session.actions([stroke([[80, -30], [100, 30], [130, -25], [150, 20]])]);
    await session.until('two strokes drawn', async () => (await pad.attribute('data-strokes')) === '2');
    await (await session.find('[data-testid="signature-save"]')).click();
    await session.waitFor('[data-testid="signature-current"][data-stale="false"]', { timeout: 15_000 });
    await session.waitFor('[data-testid="complete-ready"]', { timeout: 15_000 });

    // Point 5: the confirmation toast does not cover the Complete button.
    await session.waitFor('[data-testid="info-toast"]');
    const button = await session.find('[data-testid="complete-button"]');
    await session.execute('arguments[0].scrollIntoView({ block: "end" });', [button.ref()]);
    const [b] = await rects('[data-testid="complete-button"]');
    for (const toast of await rects('[data-testid="info-toast"], [data-testid="error-toast"]')) {
      assert.ok(!overlaps(toast, b), `a toast ${JSON.stringify(toast)} covers the Complete button ${JSON.stringify(b)}`);
    }
    await shot('complete-signed-toast');

    // The customer types a comment but gives no stars; the technician presses Complete.
    const comment = await session.find('[data-testid="complete-screen"] [data-testid="feedback-comment"]');
    await comment.click();
    await comment.sendKeys(RATING_COMMENT);
    await button.click();
    const problem = await session.waitFor('[data-testid="feedback-problem"]');
    assert.match(await problem.text(), /choose a rating/i);
    await sleep(1000);
    assert.ok(await session.find(`[data-testid="complete-screen"][data-job-id="${rated.id}"]`), 'still on the Complete screen');
    const stored = cli(dataDir, 'job', 'show', rated.id);
    assert.equal(stored.status, 'in_progress', 'the job was not completed');
    assert.equal(stored.feedback, null, 'nothing was saved');
    await shot('complete-comment-without-rating');
  });

  test('point 1: 5 stars and a comment, "Complete job" without "Save rating": the rating is stored', async () => {
    // The radio is drawn as a star: the person clicks its label.
    const star = await session.waitFor('[data-testid="complete-screen"] [data-testid="rating-5"]', { visible: false });
    await (await star.find('xpath', '..')).click();
    // The card says the rating is not saved yet and that completing saves it.
    const unsaved = await session.waitFor('[data-testid="feedback-unsaved"]');
    assert.match(await unsaved.text(), /completing the job saves it/);
    const comment = await session.find('[data-testid="complete-screen"] [data-testid="feedback-comment"]');
    assert.equal(await comment.property('value'), RATING_COMMENT, 'the comment typed before is still there');
    assert.equal(cli(dataDir, 'job', 'show', rated.id).feedback, null, 'not saved before completing');

    await (await session.find('[data-testid="complete-button"]')).click();
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${rated.id}"][data-status="completed"]`, { timeout: 15_000 });
    // The toast says which happened: the rating was saved, then the job completed.
    const said = `Rating saved and job ${rated.number} completed`;
    await session.until(`toast “${said}”`, async () => {
      for (const t of await session.findAll('[data-testid="info-toast"]')) if ((await t.text()).trim() === said) return true;
      return false;
    });
    await shot('completed-rating-saved');

    const j = cli(dataDir, 'job', 'show', rated.id);
    assert.equal(j.status, 'completed');
    assert.equal(j.feedback?.rating, 5, `feedback stored: ${JSON.stringify(j.feedback)}`);
    assert.equal(j.feedback?.comment, RATING_COMMENT);
    assert.equal(j.signatures.length, 1);
    assert.equal(j.signatures[0].changed_after_signing, false, 'saving the rating did not make the signature stale');
  });

  test('point 5: photo kinds are capitalised labels and the viewer says "1 of 2"', async () => {
    await session.hash(`#/job/${pictured.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${pictured.id}"]`, { timeout: 15_000 });
    await session.until('two photos shown', async () => (await shownPhotos()).length === 2, 15_000);
    const kinds = await session.execute(
      'return [...document.querySelectorAll(\'[data-testid="photo"] .kind\')].map((e) => e.innerText.trim());',
    );
    assert.deepEqual([...kinds].sort(), ['After', 'Before']);
    await (await session.find('[data-testid="photo"] .thumb')).click();
    const viewer = await session.waitFor('[data-testid="photo-viewer"] h2');
    assert.match(await viewer.text(), /^(Before|After)\s+1 of 2$/);
    await shot('photo-viewer');
    await session.execute('document.querySelector(\'[data-testid="photo-viewer"]\').close();');
  });

  test('point 3: delete a photo, press Undo: the photo stays, on screen and in the store', async () => {
    // On the job's screen with nothing open over it, whatever the test before left.
    await session.execute('document.querySelectorAll("dialog[open]").forEach((d) => d.close());');
    await session.hash(`#/job/${pictured.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${pictured.id}"]`, { timeout: 15_000 });
    await session.until('two photos shown', async () => (await shownPhotos()).length === 2, 15_000);
    const [first] = pictured.photos;
    await (await session.find(`[data-testid="photo"][data-photo-id="${first}"] [data-testid="photo-delete"]`)).click();
    await session.until('the photo leaves the screen', async () => !(await shownPhotos()).includes(first));
    const undo = await session.waitFor('[data-testid="toast-action"]');
    assert.equal((await undo.text()).trim(), 'Undo');
    assert.deepEqual(storedPhotos().sort(), [...pictured.photos].sort(), 'nothing recorded while Undo is offered');
    await shot('photo-deleted-undo-toast');
    await undo.click();
    await session.until('the photo is back', async () => (await shownPhotos()).includes(first));
    // Well past the Undo time: still there, on screen and in the store (nothing reaches head office).
    await sleep(UNDO_MS + 1500);
    assert.equal((await shownPhotos()).length, 2);
    assert.deepEqual(storedPhotos().sort(), [...pictured.photos].sort(), 'the undone deletion was never recorded');
  });

  test('point 3: delete a photo and let the Undo run out: it is deleted', async () => {
    const [first, second] = pictured.photos;
    await (await session.find(`[data-testid="photo"][data-photo-id="${first}"] [data-testid="photo-delete"]`)).click();
    await session.until('the photo leaves the screen', async () => !(await shownPhotos()).includes(first));
    await session.waitFor('[data-testid="toast-action"]');
    await session.until('the Undo toast runs out', async () => (await session.findAll('[data-testid="toast-action"]')).length === 0, UNDO_MS + 3000);
    await session.until('the deletion is recorded', () => !storedPhotos().includes(first), 5000);
    assert.deepEqual(storedPhotos(), [second]);
    assert.deepEqual(await shownPhotos(), [second]);
  });

  test('point 3: delete a photo and leave the job at once: the deletion is recorded then', async () => {
    const [, second] = pictured.photos;
    await (await session.find(`[data-testid="photo"][data-photo-id="${second}"] [data-testid="photo-delete"]`)).click();
    await session.waitFor('[data-testid="toast-action"]');
    await (await session.find('[data-testid="nav-today"]')).click();
    await session.waitFor('[data-testid="today-screen"]');
    // Recorded on leaving, well before the Undo time would have run out; its Undo toast goes.
    await session.until('the deletion is recorded on leaving', () => storedPhotos().length === 0, UNDO_MS - 2000);
    await session.until('the Undo toast is gone', async () => (await session.findAll('[data-testid="toast-action"]')).length === 0, 2000);
    await session.hash(`#/job/${pictured.id}`);
    await session.waitFor('[data-testid="photos-empty"]', { timeout: 15_000 });
  });

  test('point 5: a caption goes with its batch only', async () => {
    const caption = await session.waitFor('[data-testid="photo-caption"]');
    await caption.click();
    await caption.sendKeys('E2E first batch');
    const input = await session.waitFor('[data-testid="photo-input"]', { visible: false });
    await input.sendKeys(PHOTO);
    await session.until('one photo shown', async () => (await shownPhotos()).length === 1, 30_000);
    assert.equal(await caption.property('value'), '', 'the caption field is empty for the next batch');
    await input.sendKeys(PHOTO);
    await session.until('two photos shown', async () => (await shownPhotos()).length === 2, 30_000);
    const captions = cli(dataDir, 'photo', 'list', pictured.id).map((p) => p.caption);
    assert.deepEqual(captions.sort(), ['E2E first batch', null].sort());
  });

  test('point 5: a caption is edited after import, from the keyboard (Enter saves, Escape cancels)', async () => {
    const listed = () => cli(dataDir, 'photo', 'list', pictured.id);
    const captioned = listed().find((p) => p.caption === 'E2E first batch');
    const bare = listed().find((p) => p.caption === null);
    assert.ok(captioned && bare, `the two photos of the batch test: ${JSON.stringify(listed())}`);
    const tile = (id) => `[data-testid="photo"][data-photo-id="${id}"]`;
    const active = () => session.execute('return document.activeElement?.getAttribute("data-testid") ?? null;');

    // Edit caption opens an inline field with the caption in it, the cursor there.
    await (await session.find(`${tile(captioned.id)} [data-testid="photo-caption-edit"]`)).click();
    const field = await session.waitFor(`${tile(captioned.id)} [data-testid="photo-caption-input"]`);
    assert.equal(await field.property('value'), 'E2E first batch');
    assert.equal(await active(), 'photo-caption-input');
    await field.clear();
    await field.sendKeys('E2E edited after import\uE007'); // Enter
    await session.until(
      'the edited caption is stored',
      () => listed().find((p) => p.id === captioned.id)?.caption === 'E2E edited after import',
      10_000,
    );
    const text = await session.waitFor(`${tile(captioned.id)} [data-testid="photo-caption-text"]`);
    assert.equal((await text.text()).trim(), 'E2E edited after import');
    assert.equal(await active(), 'photo-caption-edit', 'the keyboard is back on the photo’s Edit caption');
    assert.equal(
      cli(dataDir, 'job', 'show', pictured.id).photos.find((p) => p.id === captioned.id)?.caption,
      'E2E edited after import',
    );
    await shot('photo-caption-edited');

    // Escape closes the field and records nothing.
    await (await session.find(`${tile(bare.id)} [data-testid="photo-caption-edit"]`)).click();
    const other = await session.waitFor(`${tile(bare.id)} [data-testid="photo-caption-input"]`);
    await other.sendKeys('never saved\uE00C'); // Escape
    await session.until(
      'the field closes',
      async () => (await session.findAll(`${tile(bare.id)} [data-testid="photo-caption-input"]`)).length === 0,
    );
    assert.equal(listed().find((p) => p.id === bare.id)?.caption, null, 'Escape recorded nothing');
  });

  test('point 5: Chinese headings and labels (screenshots to look at)', async () => {
    await (await session.find('[data-testid="nav-settings"]')).click();
    await session.waitFor('[data-testid="settings-screen"]');
    await (await (await session.find('[data-testid="language"]')).find('option[value="zh"]')).click();
    await session.until('Chinese', async () => (await session.execute('return document.documentElement.lang')) === 'zh-CN');
    await session.hash('#/today');
    await (await session.waitFor('[data-testid="tab-tomorrow"]')).click();
    const heading = await session.waitFor('[data-testid="today-heading"]');
    await session.until('明天', async () => (await heading.text()).trim() === '明天');
    await shot('zh-today-tomorrow');
    // Headings draw at one weight in Chinese (base.css): every h1/h2 at 700.
    const weights = await session.execute(
      'return [...new Set([...document.querySelectorAll("h1, h2")].map((h) => getComputedStyle(h).fontWeight))];',
    );
    assert.deepEqual(weights, ['700']);
    await session.hash(`#/job/${rated.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${rated.id}"]`, { timeout: 15_000 });
    await shot('zh-job');
    const jobWeights = await session.execute(
      'return [...new Set([...document.querySelectorAll("h1, h2, h3")].map((h) => getComputedStyle(h).fontWeight))];',
    );
    assert.deepEqual(jobWeights, ['700']);
  });
});
