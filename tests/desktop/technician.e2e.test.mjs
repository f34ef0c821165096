// End-to-end: the real desktop app driven through WebDriver (tauri-driver → WebKitWebDriver),
// on a data dir seeded with the CLI. Run under Xvfb: tests/desktop/run.sh
//
// Expects the binaries to be built already (this test builds nothing):
//   (cd ui && npm run build) && cargo build -p fieldwork-desktop --features custom-protocol
//   cargo build -p fieldwork-cli
// Overrides: FIELDWORK_DESKTOP_BIN, FIELDWORK_CLI_BIN, TAURI_DRIVER_BIN, WEBKIT_WEBDRIVER_BIN.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { askedItems, requiredItems } from '../checklist.mjs';
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
const PHOTOS = path.resolve(ROOT, 'testdata/photos');
const GOOD_PHOTO = path.join(PHOTOS, 'orientation/Portrait_6.jpg');
const SIGNER = 'Li Wei 李伟';

const NOTE = 'E2E: replaced the run capacitor, unit tested OK';
const RESOLUTION = 'Replaced the faulty component; appliance tested and working.';
const RATING_COMMENT = 'Quick and tidy';
// Typed in with a wrong quantity (wrongQty), then corrected on the job screen to qty.
const TYPED_PART = { no: 'E2E-CLIP-01', desc: 'Door seal clip (typed in)', wrongQty: '5', qty: '2', price: '3.50' };
// Typed in by mistake, then removed.
const STRAY_PART = { no: 'E2E-STRAY-09', desc: 'Entered on the wrong job', qty: '1', price: '9.99' };

function requireFile(file, what, hint) {
  if (!file || !fs.existsSync(file)) {
    throw new Error(`${what} not found at ${file ?? '(nowhere)'}. ${hint}`);
  }
}

function cli(dataDir, ...args) {
  const out = execFileSync(CLI, ['--data-dir', dataDir, '--json', ...args], { encoding: 'utf8' });
  return JSON.parse(out);
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
  // WebKitWebDriver and the app share tauri-driver's process group; make sure none linger.
  killGroup(child, 'SIGKILL');
}

describe('technician works a job from Today to Complete in the desktop app', () => {
  const t0 = Date.now();
  let tmp;
  let dataDir;
  let driver;
  let driverLog = '';
  let base;
  let session;
  let job; // { id, number }
  let detail; // CLI `job show` before work started
  let catalogue; // the catalogue part added
  let failed = false;

  async function newSession() {
    session = await Session.create(base, {
      alwaysMatch: {
        'tauri:options': { application: APP, args: ['--data-dir', dataDir] },
      },
    });
    // Page load of the embedded UI.
    await session.waitFor('[data-testid="nav-today"]', { timeout: 20_000 });
    return session;
  }

  async function endSession() {
    if (!session) return;
    const s = session;
    session = null;
    await s.delete();
  }

  async function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    // Let WebKit draw the latest state first: its screenshot is of the last painted frame.
    await session.executeAsync('const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));');
    const png = await session.screenshot();
    assert.equal(png.subarray(1, 4).toString(), 'PNG', `${name}: screenshot is not a PNG`);
    fs.writeFileSync(path.join(SHOTS, `${name}.png`), png);
  }

  async function jobStatus() {
    const el = await session.waitFor('[data-testid="job-screen"]');
    return el.attribute('data-status');
  }

  async function waitStatus(status) {
    await session.until(`job status ${status}`, async () => (await jobStatus()) === status, 30_000);
  }

  before(async () => {
    requireFile(APP, 'fieldwork-desktop', 'Build it: (cd ui && npm run build) && cargo build -p fieldwork-desktop --features custom-protocol');
    requireFile(CLI, 'fieldwork CLI', 'Build it: cargo build -p fieldwork-cli');
    requireFile(DRIVER, 'tauri-driver', 'Install it: cargo install tauri-driver --locked');
    requireFile(NATIVE, 'WebKitWebDriver', 'Install it: apt-get install webkit2gtk-driver');
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      throw new Error('No display: run under Xvfb, e.g. tests/desktop/run.sh');
    }

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-e2e-'));
    dataDir = path.join(tmp, 'data');
    const seeded = cli(dataDir, 'seed', '--jobs', '300', '--seed', '7');
    assert.ok(seeded.today_jobs_for_device_technician > 0, 'the seed gave the technician no jobs today');

    const port = await freePort();
    const nativePort = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Own process group (detached), so the driver, WebKitWebDriver and the app die together.
    // HOME/XDG dirs are private too: the webview's localStorage (the chosen language) must not
    // leak between runs.
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    driver = spawn(DRIVER, ['--port', String(port), '--native-port', String(nativePort), '--native-driver', NATIVE], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FIELDWORK_DATA_DIR: dataDir,
        // WebKit's synthetic camera, for the camera step (see src-tauri/src/camera.rs).
        FIELDWORK_MOCK_CAMERA: '1',
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
  });

  after(async () => {
    try {
      if (session) await endSession().catch(() => {});
    } finally {
      await stopDriver(driver);
      if (failed && driverLog) console.error(`--- tauri-driver output (tail) ---\n${driverLog.slice(-4000)}`);
      if (tmp && !process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true });
      else if (tmp) console.error(`data kept in ${tmp}`);
      console.error(`e2e run time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });

  // Steps depend on each other: after the first failure the rest fail at once, saying why,
  // rather than acting on a half-done job.
  function step(name, fn) {
    it(name, async () => {
      if (failed) throw new Error('not run: an earlier step failed');
      try {
        await fn();
      } catch (e) {
        failed = true;
        if (session) await shot(`failure-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
        throw e;
      }
    });
  }

  step('Today lists the technician’s jobs; open the first one', async () => {
    await newSession();
    await session.hash('#/today');
    await session.waitFor('[data-testid="today-screen"]');
    const nav = await session.find('[data-testid="nav-today"]');
    assert.equal((await nav.text()).trim(), 'Today');
    const first = await session.waitFor('[data-testid="job-row"]', { timeout: 15_000 });
    job = { id: await first.attribute('data-job-id'), number: await first.attribute('data-job-number') };
    const cliToday = cli(dataDir, 'jobs', '--today');
    const rows = await session.findAll('[data-testid="job-row"]');
    assert.equal(rows.length, cliToday.length, 'Today shows as many jobs as `fieldwork jobs --today`');
    assert.ok(cliToday.some((j) => j.id === job.id), `${job.number} is one of today’s jobs per the CLI`);
    await shot('today');

    detail = cli(dataDir, 'job', 'show', job.id);
    await first.click();
    const screen = await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`);
    assert.equal((await (await session.find('[data-testid="job-number"]')).text()).trim(), job.number);
    assert.equal(await screen.attribute('data-status'), detail.status);
  });

  step('move en route → on site → in progress', async () => {
    for (const to of ['en_route', 'on_site', 'in_progress']) {
      const button = await session.waitFor(`[data-testid="move-${to}"]`);
      await session.until(`move-${to} enabled`, () => button.enabled());
      await button.click();
      await waitStatus(to);
      const pill = await session.find('[data-testid="job-screen"] [data-testid="status"]');
      assert.equal(await pill.attribute('data-status'), to);
    }
  });

  step('fill every required checklist item', async () => {
    const required = requiredItems(detail);
    assert.ok(required.length > 0, 'the job type has required checklist items');
    // "All as expected": every open required yes/no check ticked in one click; an optional one
    // stays unanswered.
    const checks = required.filter((i) => i.kind === 'checkbox');
    assert.ok(checks.length >= 2, 'the job asks several required yes/no checks');
    const optional = askedItems(detail).filter((i) => i.kind === 'checkbox' && !i.required);
    const tickAll = await session.waitFor('[data-testid="checklist-tick-all"]');
    await session.until('"all done" enabled', () => tickAll.enabled());
    await session.execute("document.querySelector('[data-testid=\"job-checklist\"]').scrollIntoView()");
    await shot('checklist');
    await tickAll.click();
    for (const item of checks) {
      await session.waitFor(`[data-testid="job-checklist"] .done [data-testid="checklist-${item.key}"]`);
    }
    await session.until('no open check left', async () => (await session.findAll('[data-testid="checklist-tick-all"]')).length === 0);
    for (const item of optional) {
      const box = await session.waitFor(`[data-testid="job-checklist"] [data-testid="checklist-${item.key}"]`);
      assert.equal(await box.selected(), false, `${item.key} is left to the technician`);
    }
    for (const item of required.filter((i) => i.kind !== 'checkbox')) {
      const css = `[data-testid="job-checklist"] [data-testid="checklist-${item.key}"]`;
      const input = await session.waitFor(css);
      await session.until(`${item.key} enabled`, () => input.enabled());
      switch (item.kind) {
        case 'checkbox':
          await input.click();
          break;
        case 'choice': {
          const option = await input.find(`option[value="${item.options[0]}"]`);
          await option.click();
          break;
        }
        case 'number':
        case 'text':
          await input.click();
          await input.clear();
          await input.sendKeys(item.kind === 'number' ? '230' : 'ok');
          await input.sendKeys('\uE004'); // Tab: change + blur saves it
          break;
        default:
          throw new Error(`unknown checklist kind ${item.kind}`);
      }
      // The row is marked done once the answer is stored and the job reloaded.
      await session.waitFor(`[data-testid="job-checklist"] .done [data-testid="checklist-${item.key}"]`);
    }
  });

  step('add a part from the catalogue and a typed-in one', async () => {
    const parts = cli(dataDir, 'parts', 'capacitor');
    assert.ok(parts.length > 0, 'the catalogue has a capacitor');
    catalogue = parts[0];
    const search = await session.waitFor('[data-testid="parts-search"]');
    await search.click();
    await search.sendKeys('capacitor');
    const result = await session.waitFor('[data-testid="part-result"]');
    assert.match(await result.text(), new RegExp(catalogue.part_no));
    await result.click();
    const no = await session.find('[data-testid="part-no"]');
    await session.until('part no filled from the pick', async () => (await no.property('value')) === catalogue.part_no);
    await (await session.find('[data-testid="part-add"]')).click();
    await session.until('one part row', async () => (await session.findAll('[data-testid="part-row"]')).length === 1);

    await no.click();
    await no.sendKeys(TYPED_PART.no);
    const desc = await session.find('[data-testid="part-description"]');
    await desc.click();
    await desc.sendKeys(TYPED_PART.desc);
    const qty = await session.find('[data-testid="part-qty"]');
    await qty.clear();
    await qty.sendKeys(TYPED_PART.wrongQty);
    const price = await session.find('[data-testid="part-price"]');
    await price.click();
    await price.sendKeys(TYPED_PART.price);
    await (await session.find('[data-testid="part-add"]')).click();
    await session.until('two part rows', async () => (await session.findAll('[data-testid="part-row"]')).length === 2);
    const text = (await Promise.all((await session.findAll('[data-testid="part-row"]')).map((r) => r.text()))).join('\n');
    assert.match(text, new RegExp(catalogue.part_no));
    assert.match(text, new RegExp(TYPED_PART.no));
  });

  step('correct the typed-in part’s quantity and remove a part entered by mistake', async () => {
    const rowText = async () =>
      (await Promise.all((await session.findAll('[data-testid="part-row"]')).map((r) => r.text()))).join('\n');
    // The wrong quantity is on the job (5 × 3.50).
    assert.match(await rowText(), /17\.50/);
    const typedRow = `[data-testid="part-row"][data-part-no="${TYPED_PART.no}"]`;
    await (await session.find(`${typedRow} [data-testid="part-edit"]`)).click();
    const edit = await session.waitFor(`${typedRow} [data-testid="part-edit-qty"]`);
    await edit.clear();
    await edit.sendKeys(TYPED_PART.qty);
    await (await session.find(`${typedRow} [data-testid="part-edit-save"]`)).click();
    await session.until('the corrected line shows 2 × 3.50 = 7.00', async () => {
      const row = await session.findAll(typedRow);
      return row.length === 1 && /7\.00/.test(await row[0].text()) && !(await session.findAll(`${typedRow} [data-testid="part-edit-qty"]`)).length;
    });
    assert.doesNotMatch(await rowText(), /17\.50/, 'the wrong line is gone');
    assert.equal((await session.findAll('[data-testid="part-row"]')).length, 2);

    // A part typed in by mistake: added, then removed after confirming.
    const no = await session.find('[data-testid="part-no"]');
    await no.click();
    await no.sendKeys(STRAY_PART.no);
    const desc = await session.find('[data-testid="part-description"]');
    await desc.click();
    await desc.sendKeys(STRAY_PART.desc);
    const qty = await session.find('[data-testid="part-qty"]');
    await qty.clear();
    await qty.sendKeys(STRAY_PART.qty);
    const price = await session.find('[data-testid="part-price"]');
    await price.click();
    await price.sendKeys(STRAY_PART.price);
    await (await session.find('[data-testid="part-add"]')).click();
    await session.until('three part rows', async () => (await session.findAll('[data-testid="part-row"]')).length === 3);
    const strayRow = `[data-testid="part-row"][data-part-no="${STRAY_PART.no}"]`;
    await (await session.find(`${strayRow} [data-testid="part-remove"]`)).click();
    // Nothing is removed until confirmed.
    const confirm = await session.waitFor(`${strayRow} [data-testid="part-remove-confirm"]`);
    assert.equal((await session.findAll('[data-testid="part-row"]')).length, 3);
    await shot('part-remove-confirm');
    await confirm.click();
    await session.until('two part rows again', async () => (await session.findAll('[data-testid="part-row"]')).length === 2);
    assert.doesNotMatch(await rowText(), new RegExp(STRAY_PART.no));

    // The CLI sees the corrected job, and the corrections wait to go to head office.
    const j = cli(dataDir, 'job', 'show', job.id);
    assert.equal(j.parts.find((p) => p.part_no === TYPED_PART.no)?.quantity, 2);
    assert.ok(!j.parts.some((p) => p.part_no === STRAY_PART.no), 'the removed part is not on the job');
    const outbox = cli(dataDir, 'outbox', '--limit', '100000');
    const withdrawn = outbox.entries.filter((e) => e.mutation.type === 'part_withdrawn');
    assert.equal(withdrawn.length, 2, 'one tombstone for the corrected line, one for the removed');
  });

  step('add a note', async () => {
    const input = await session.waitFor('[data-testid="note-input"]');
    await input.click();
    await input.sendKeys(NOTE);
    await (await session.find('[data-testid="note-add"]')).click();
    await session.until('note listed', async () => {
      const notes = await session.findAll('[data-testid="note"]');
      for (const n of notes) if ((await n.text()).includes(NOTE)) return true;
      return false;
    });
    await session.execute('window.scrollTo(0, 0)');
    await shot('job');
  });

  step('import photos: every kind the job needs, and a broken file that is refused by name', async () => {
    requireFile(GOOD_PHOTO, 'test photo', 'testdata/photos is missing from the checkout');
    const broken = path.join(tmp, 'not-a-photo.jpg');
    fs.writeFileSync(broken, 'this is a text file, not a JPEG\n');
    const kinds = detail.job_type.required_photo_kinds.length ? detail.job_type.required_photo_kinds : ['before'];
    const input = await session.waitFor('[data-testid="photo-input"]', { visible: false });
    let expected = 0;
    for (const [i, kind] of kinds.entries()) {
      const select = await session.find('[data-testid="photo-kind"]');
      await (await select.find(`option[value="${kind}"]`)).click();
      const caption = await session.find('[data-testid="photo-caption"]');
      await caption.clear();
      await caption.sendKeys(`E2E ${kind} photo`);
      // The first batch also carries the broken file: it must fail alone, by name.
      await input.sendKeys(i === 0 ? `${GOOD_PHOTO}\n${broken}` : GOOD_PHOTO);
      expected += 1;
      await session.until(`${expected} photo(s) shown`, async () => (await session.findAll('[data-testid="photo"]')).length === expected, 30_000);
    }
    const failed = await session.waitFor('[data-testid="photo-queue-item"][data-state="failed"]', { timeout: 15_000 });
    assert.match(await failed.text(), /not-a-photo\.jpg/);
    for (const kind of kinds) await session.waitFor(`[data-testid="photo"][data-kind="${kind}"]`);
    // The thumbnail is served by the app's media protocol and decodes as a picture.
    await session.until('thumbnail loaded', () =>
      session.execute("const img = document.querySelector('[data-testid=\"photo\"] img'); return !!img && img.complete && img.naturalWidth > 0;"),
    );
    // Portrait_6 is stored upright: a portrait thumbnail.
    const [w, h] = await session.execute("const img = document.querySelector('[data-testid=\"photo\"] img'); return [img.naturalWidth, img.naturalHeight];");
    assert.ok(h > w, `the thumbnail is upright (portrait), got ${w}×${h}`);
    job.photoKinds = kinds;
  });

  // The laptop camera, through WebKit's mock capture device (FIELDWORK_MOCK_CAMERA=1 above): a
  // real getUserMedia stream in the preview, captured with the keyboard and imported like a
  // picked file, with the kind and caption chosen in the card.
  step('take a photo with the laptop camera (WebKit mock camera)', async () => {
    const CAPTION = 'E2E camera photo';
    const shown = async () => (await session.findAll('[data-testid="photo"]')).length;
    const before = await shown();
    const listedBefore = cli(dataDir, 'photo', 'list', job.id).length;
    await (await (await session.find('[data-testid="photo-kind"]')).find('option[value="other"]')).click();
    const caption = await session.find('[data-testid="photo-caption"]');
    await caption.clear();
    await caption.sendKeys(CAPTION);
    const key = (k) => session.actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }] }]);
    const previewLive = () =>
      session.execute(
        "const v = document.querySelector('[data-testid=\"camera-preview\"]'); return !!v.srcObject && v.srcObject.getVideoTracks().some((t) => t.readyState === 'live') && v.videoWidth > 0;",
      );
    const cameraOff = () =>
      session.execute(
        "const d = document.querySelector('[data-testid=\"camera-dialog\"]'); return !d.open && d.querySelector('video').srcObject === null;",
      );

    // Esc closes the dialog and stops the camera; nothing is imported.
    await (await session.waitFor('[data-testid="photo-camera"]')).click();
    await session.waitFor('[data-testid="camera-dialog"][data-phase="live"]', { timeout: 15_000 });
    assert.ok(await previewLive(), 'the preview shows the camera');
    await key('\uE00C'); // Escape
    await session.until('camera stopped after Esc', cameraOff);

    // Again; Enter takes the picture (the Capture button has the focus), closes the dialog and
    // stops the camera.
    await (await session.find('[data-testid="photo-camera"]')).click();
    await session.waitFor('[data-testid="camera-dialog"][data-phase="live"]', { timeout: 15_000 });
    assert.equal(await session.execute('return document.activeElement?.dataset.testid;'), 'camera-capture');
    await shot('camera-dialog');
    await key('\uE007'); // Enter
    await session.until('camera stopped after the capture', cameraOff);
    await session.until('one more photo shown', async () => (await shown()) === before + 1, 30_000);
    const photo = await session.waitFor('[data-testid="photo"][data-kind="other"]');
    assert.match(await photo.text(), new RegExp(CAPTION));
    assert.equal(await shown(), before + 1, 'the Esc attempt imported nothing');

    const listed = cli(dataDir, 'photo', 'list', job.id);
    assert.equal(listed.length, listedBefore + 1, '`fieldwork photo list` has the camera photo');
    const taken = listed.find((p) => p.kind === 'other' && p.caption === CAPTION);
    assert.ok(taken, `the camera photo with its kind and caption: ${JSON.stringify(listed)}`);
    assert.ok(taken.width > taken.height && taken.height >= 240, `a landscape camera frame, got ${taken.width}×${taken.height}`);
    job.cameraPhotos = 1;
  });

  step('mark up a copy of a photo: an arrow, a circle and a word; the original stays', async () => {
    const shown = async () => (await session.findAll('[data-testid="photo"]')).length;
    const before = await shown();
    const original = await session.waitFor('[data-testid="photo"]');
    const originalId = await original.attribute('data-photo-id');
    const originalKind = await original.attribute('data-kind');
    const listedBefore = cli(dataDir, 'photo', 'list', job.id);
    const originalSha = listedBefore.find((p) => p.id === originalId).sha256;
    await (await original.find('[data-testid="photo-markup"]')).click();
    await session.waitFor('[data-testid="markup-dialog"][open] [data-testid="markup-canvas"]:not(.hidden)', { timeout: 15_000 });
    // Draw with the pointer as a finger would: press, move, release (in the canvas's own
    // coordinates, scaled from the screen).
    const drag = (from, to) =>
      session.execute(
        `const c = document.querySelector('[data-testid="markup-canvas"]');
         const b = c.getBoundingClientRect();
         const at = (p) => ({ clientX: b.left + p[0] * b.width, clientY: b.top + p[1] * b.height,
                              pointerId: 7, bubbles: true, isPrimary: true });
         c.dispatchEvent(new PointerEvent('pointerdown', at(arguments[0])));
         c.dispatchEvent(new PointerEvent('pointermove', at([(arguments[0][0] + arguments[1][0]) / 2, (arguments[0][1] + arguments[1][1]) / 2])));
         c.dispatchEvent(new PointerEvent('pointermove', at(arguments[1])));
         c.dispatchEvent(new PointerEvent('pointerup', at(arguments[1])));
         return Number(c.dataset.shapes);`,
        [from, to],
      );
    assert.equal(await drag([0.2, 0.2], [0.5, 0.5]), 1, 'an arrow');
    await (await session.find('[data-testid="markup-tool-circle"]')).click();
    assert.equal(await drag([0.55, 0.4], [0.8, 0.7]), 2, 'a circle');
    assert.equal(await drag([0.6, 0.6], [0.6, 0.6]), 2, 'a tap without a drag draws nothing');
    await (await session.find('[data-testid="markup-tool-text"]')).click();
    await (await session.waitFor('[data-testid="markup-text"]')).sendKeys('Leak here');
    assert.equal(await drag([0.1, 0.8], [0.1, 0.8]), 3, 'the word placed where tapped');
    await (await session.find('[data-testid="markup-undo"]')).click();
    assert.equal(Number(await (await session.find('[data-testid="markup-canvas"]')).attribute('data-shapes')), 2, 'Undo takes the word back');
    assert.equal(await drag([0.1, 0.8], [0.1, 0.8]), 3);
    await shot('photo-markup');
    await (await session.find('[data-testid="markup-save"]')).click();
    await session.until('the marked copy shown', async () => (await shown()) === before + 1, 30_000);
    assert.equal(await session.execute("return document.querySelector('[data-testid=\"markup-dialog\"]').open;"), false);

    const listed = cli(dataDir, 'photo', 'list', job.id);
    assert.equal(listed.length, listedBefore.length + 1, 'one more photo');
    assert.equal(listed.find((p) => p.id === originalId).sha256, originalSha, 'the original is unchanged');
    const copy = listed.find((p) => !listedBefore.some((b) => b.id === p.id));
    assert.equal(copy.kind, originalKind, 'the copy keeps the kind');
    assert.match(copy.caption, /^Marked up: /);
    assert.notEqual(copy.sha256, originalSha);
    job.cameraPhotos = (job.cameraPhotos ?? 0) + 1;
  });

  step('Complete lists what is missing; fix it there and complete', async () => {
    await (await session.waitFor('[data-testid="move-completed"]')).click();
    await session.waitFor(`[data-testid="complete-screen"][data-job-id="${job.id}"]`);
    await session.waitFor('[data-testid="missing-item"]');
    const whats = [];
    for (const m of await session.findAll('[data-testid="missing-item"]')) whats.push(await m.attribute('data-what'));
    assert.ok(whats.includes('resolution'), `resolution is listed as missing (listed: ${whats})`);
    assert.ok(whats.includes('signature_or_reason'), `signature-or-reason is listed as missing (listed: ${whats})`);
    assert.ok(!whats.includes('checklist_item'), `no checklist item is missing after filling them (listed: ${whats})`);
    await shot('complete');

    const resolution = await session.find('[data-testid="missing-item"] [data-testid="field-resolution"]');
    await resolution.click();
    await resolution.sendKeys(RESOLUTION);
    await resolution.sendKeys('\uE004'); // Tab: blur saves it

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
    await session.until('signature image loaded', () =>
      session.execute("const img = document.querySelector('[data-testid=\"signature-image\"]'); return !!img && img.complete && img.naturalWidth > 0;"),
    );

    // The customer rates the visit on the same screen.
    // The radio is drawn as a star: the person clicks its label.
    const star = await session.waitFor('[data-testid="complete-screen"] [data-testid="rating-5"]', { visible: false });
    await (await star.find('xpath', '..')).click();
    const comment = await session.find('[data-testid="complete-screen"] [data-testid="feedback-comment"]');
    await comment.click();
    await comment.sendKeys(RATING_COMMENT);
    await (await session.find('[data-testid="complete-screen"] [data-testid="feedback-save"]')).click();

    await session.waitFor('[data-testid="complete-ready"]', { timeout: 15_000 });
    assert.equal((await session.findAll('[data-testid="missing-item"]')).length, 0);
    await shot('complete-signed');

    await (await session.find('[data-testid="complete-button"]')).click();
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`, { timeout: 15_000 });
    await waitStatus('completed');
    const pill = await session.find('[data-testid="job-screen"] [data-testid="status"]');
    assert.equal(await pill.attribute('data-status'), 'completed');
    assert.match(await pill.text(), /complete/i);
  });

  step('restart the app: the job is still completed with its note and parts', async () => {
    await endSession();
    await newSession();
    await session.hash(`#/job/${job.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`, { timeout: 15_000 });
    assert.equal(await jobStatus(), 'completed');
    const notes = await Promise.all((await session.findAll('[data-testid="note"]')).map((n) => n.text()));
    assert.ok(notes.some((n) => n.includes(NOTE)), 'the note survived the restart');
    assert.equal((await session.findAll('[data-testid="part-row"]')).length, 2, 'both parts survived the restart');
    assert.equal((await session.findAll('[data-testid="photo"]')).length, job.photoKinds.length + (job.cameraPhotos ?? 0), 'the photos survived the restart');
    await session.waitFor('[data-testid="signature-current"]');
  });

  step('the CLI sees the same job', async () => {
    const j = cli(dataDir, 'job', 'show', job.id);
    assert.equal(j.status, 'completed');
    assert.equal(j.resolution, RESOLUTION);
    assert.equal(j.signature_absence_reason, null);
    assert.equal(j.signatures.length, 1, 'one signature');
    assert.equal(j.signatures[0].signer_name, SIGNER);
    assert.equal(j.signatures[0].changed_after_signing, false);
    assert.ok(j.signatures[0].png_sha256, 'the signature has its picture');
    assert.equal(j.feedback?.rating, 5);
    assert.equal(j.feedback?.comment, RATING_COMMENT);
    assert.equal(j.photos.length, job.photoKinds.length + (job.cameraPhotos ?? 0), 'one photo per kind imported and the camera photo; the broken file none');
    for (const kind of job.photoKinds) assert.ok(j.photos.some((p) => p.kind === kind), `a ${kind} photo`);
    const listed = cli(dataDir, 'photo', 'list', job.id);
    assert.equal(listed.length, j.photos.length, '`fieldwork photo list` shows the same photos');
    const check = cli(dataDir, 'check');
    assert.equal(check.ok, true, `fieldwork check: ${JSON.stringify(check)}`);
    assert.ok(j.notes.some((n) => n.body === NOTE), 'note');

    const cat = j.parts.find((p) => p.part_no === catalogue.part_no);
    assert.ok(cat, 'catalogue part');
    assert.equal(cat.from_catalogue, true);
    assert.equal(cat.quantity, 1);
    assert.equal(cat.unit_price_cents, catalogue.unit_price_cents);
    const typed = j.parts.find((p) => p.part_no === TYPED_PART.no);
    assert.ok(typed, 'typed-in part');
    assert.equal(typed.from_catalogue, false);
    assert.equal(typed.description, TYPED_PART.desc);
    assert.equal(typed.quantity, 2);
    assert.equal(typed.unit_price_cents, 350);
    assert.equal(typed.line_total_cents, 700);

    for (const item of requiredItems(detail)) {
      const a = j.checklist.find((c) => c.item_key === item.key);
      assert.ok(a?.value, `checklist ${item.key} answered`);
      const expected = { checkbox: true, number: 230, choice: item.options[0], text: 'ok' }[item.kind];
      assert.deepEqual(a.value, { kind: item.kind, value: expected }, `checklist ${item.key}`);
    }

    const derived = j.time_entries.filter((e) => e.source === 'derived');
    assert.ok(derived.some((e) => e.kind === 'travel'), `a derived travel entry (en route → on site): ${JSON.stringify(j.time_entries)}`);
    assert.ok(derived.some((e) => e.kind === 'labour'), `a derived labour entry (in progress → completed): ${JSON.stringify(j.time_entries)}`);

    const moves = j.status_history.map((h) => h.to_status);
    for (const s of ['en_route', 'on_site', 'in_progress', 'completed']) assert.ok(moves.includes(s), `status history has ${s}`);
  });

  step('save the service report: a PDF with the job, its photos and the signature', async () => {
    await session.hash(`#/job/${job.id}`);
    await (await session.waitFor('[data-testid="report-save"]')).click();
    const saved = await session.waitFor('[data-testid="report-saved"]', { timeout: 30_000 });
    const file = await saved.attribute('data-path');
    assert.ok(file.startsWith(tmp), `the report is saved in the (test) user's folders: ${file}`);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    assert.match(text, new RegExp(job.number));
    assert.match(text, new RegExp(SIGNER.split(' ')[0]));
    assert.match(text, new RegExp(RESOLUTION.slice(0, 30)));
    // Parts as corrected: the typed-in line at 2 × 3.50, the removed part nowhere.
    const typedLine = text.split('\n').find((l) => l.includes(TYPED_PART.no));
    assert.ok(typedLine, `the typed-in part is on the report:\n${text}`);
    assert.match(typedLine, /7\.00/);
    assert.doesNotMatch(typedLine, /17\.50/);
    assert.doesNotMatch(text, new RegExp(STRAY_PART.no), 'the removed part is not on the report');
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    assert.ok(images.length >= job.photoKinds.length + 1, `photos and the signature are in the PDF:\n${images.join('\n')}`);
    await shot('job-report');
  });

  step('switch to Chinese in Settings', async () => {
    await (await session.find('[data-testid="nav-settings"]')).click();
    await session.waitFor('[data-testid="settings-screen"]');
    const select = await session.find('[data-testid="language"]');
    await (await select.find('option[value="zh"]')).click();
    const nav = await session.find('[data-testid="nav-today"]');
    await session.until('Chinese nav label', async () => (await nav.text()).trim() === '今日');
    assert.equal((await (await session.find('[data-testid="settings-screen"] h1')).text()).trim(), '设置');
    assert.equal(await session.execute('return document.documentElement.lang'), 'zh-CN');
    await endSession();
  });
});
