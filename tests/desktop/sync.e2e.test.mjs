// End-to-end: the desktop app signs in to a real head office (the `fieldwork-headoffice` binary
// on a free loopback port, `seed --demo`) from its own sign-in screen, receives the technician's
// jobs, sends a note, and the dispatcher API shows the note arrived. Also: the first-start offer,
// a wrong password explained, the sync indicator through its states, a change head office
// rejects listed on the Sync page with the job number and reason; an article published with a
// picture comes down with its picture, which the article screen shows.
// Run under Xvfb: tests/desktop/run.sh (make e2e builds the binaries first).
//
// Overrides: FIELDWORK_DESKTOP_BIN, FIELDWORK_HEADOFFICE_BIN, TAURI_DRIVER_BIN, WEBKIT_WEBDRIVER_BIN.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHeadOffice } from '../dispatch/headoffice.mjs';
import { freePort } from './procs.mjs';
import { Session, waitForDriver } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP = process.env.FIELDWORK_DESKTOP_BIN ?? path.join(ROOT, 'target/debug/fieldwork-desktop');
const DRIVER =
  process.env.TAURI_DRIVER_BIN ??
  [path.join(os.homedir(), '.cargo/bin/tauri-driver'), '/usr/local/bin/tauri-driver'].find((p) =>
    fs.existsSync(p),
  );
const NATIVE = process.env.WEBKIT_WEBDRIVER_BIN ?? '/usr/bin/WebKitWebDriver';
const CLI = process.env.FIELDWORK_CLI_BIN ?? path.join(ROOT, 'target/debug/fieldwork');
const SHOTS = path.join(ROOT, 'target/e2e-screenshots');
const NOTE = 'E2E sync: sent from the laptop to head office';
const REFUSED_NOTE = 'E2E sync: a note on a job head office had cancelled';
const DIAGNOSIS_ELSEWHERE = 'Drain pump blocked (seen on the second laptop)';
const DIAGNOSIS_HERE = 'Drain pump blocked by a coin; impeller intact';

/** The technician CLI on another data folder: a second laptop of the same technician. */
function cli(dataDir, args, input) {
  return execFileSync(CLI, ['--data-dir', dataDir, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
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

/** The dispatcher's side of head office: a session cookie and its CSRF token. */
async function dispatcher(base, user = 'dispatcher', password = 'dispatcher-demo') {
  const r = await fetch(`${base}/api/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password }),
  });
  assert.equal(r.status, 200, `dispatcher sign-in: ${await r.clone().text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await r.json();
  const call = async (method, url, body) => {
    const res = await fetch(`${base}/api/v1${url}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrf,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${url}: ${res.status} ${text}`);
    return text === '' ? null : JSON.parse(text);
  };
  /** A file's bytes as the body (a picture for the knowledge base). */
  const upload = async (url, bytes) => {
    const res = await fetch(`${base}/api/v1${url}`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const text = await res.text();
    assert.equal(res.status, 201, `POST ${url}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  return { get: (url) => call('GET', url), post: (url, body) => call('POST', url, body ?? {}), upload };
}

describe('the desktop app syncs with a real head office', () => {
  const t0 = Date.now();
  let tmp;
  let dataDir;
  let driver;
  let driverLog = '';
  let base;
  let session;
  let ho;
  let failed = false;
  let job; // { id, number } a job of tech1's that the laptop received
  let cancelled; // { id, number } a job the dispatcher cancels behind the laptop's back

  async function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await session.executeAsync(
      'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));',
    );
    const png = await session.screenshot();
    fs.writeFileSync(path.join(SHOTS, `${name}.png`), png);
  }

  async function indicator() {
    const el = await session.waitFor('[data-testid="sync-indicator"]');
    return {
      state: await el.attribute('data-state'),
      pending: Number(await el.attribute('data-pending')),
      blobs: Number(await el.attribute('data-pending-blobs')),
      lastSync: await el.attribute('data-last-sync'),
      label: await el.attribute('aria-label'),
      // WebKitWebDriver's element text of a button is empty; read what it renders.
      text: (await session.execute('return arguments[0].textContent', [el.ref()])).trim(),
    };
  }

  /** Waits until the indicator says synced with nothing pending, after `since` (ISO) if given. */
  // The indicator must say "synced" within one sync interval (30 s) plus a round. (It once stayed
  // on a stale "syncing" until the next round: a command's status overtook the engine's last
  // event. Commands no longer report a round in progress.)
  async function waitSynced(since = '') {
    let seen = null;
    try {
      return await session.until(
        'indicator synced with 0 pending',
        async () => {
          const i = await indicator();
          seen = i;
          const later = since === '' || Date.parse(i.lastSync) > Date.parse(since);
          return i.state === 'synced' && i.pending === 0 && i.blobs === 0 && later ? i : null;
        },
        45_000,
      );
    } catch (e) {
      throw new Error(`${e.message}; the indicator last said ${JSON.stringify(seen)}`);
    }
  }

  before(async () => {
    for (const [file, what] of [
      [APP, 'fieldwork-desktop (make desktop)'],
      [CLI, 'fieldwork CLI (make build)'],
      [DRIVER, 'tauri-driver (cargo install tauri-driver --locked)'],
      [NATIVE, 'WebKitWebDriver (apt-get install webkit2gtk-driver)'],
    ]) {
      if (!file || !fs.existsSync(file)) throw new Error(`${what} not found at ${file ?? '(nowhere)'}`);
    }
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      throw new Error('No display: run under Xvfb, e.g. tests/desktop/run.sh');
    }
    ho = await startHeadOffice({ jobs: 40 });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-sync-e2e-'));
    // A laptop on its first start: no data folder yet.
    dataDir = path.join(tmp, 'data');
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
  });

  after(async () => {
    try {
      if (session) await session.delete().catch(() => {});
    } finally {
      await stopDriver(driver);
      if (failed && driverLog) console.error(`--- tauri-driver output (tail) ---\n${driverLog.slice(-4000)}`);
      if (failed && ho) console.error(`--- head office log (tail) ---\n${ho.log().slice(-4000)}`);
      await ho?.stop();
      if (tmp && !process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true });
      console.error(`sync e2e run time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });

  function step(name, fn) {
    it(name, async () => {
      if (failed) throw new Error('not run: an earlier step failed');
      try {
        await fn();
      } catch (e) {
        failed = true;
        if (session) await shot(`failure-sync-${name.replace(/\W+/g, '-').slice(0, 40)}`).catch(() => {});
        throw e;
      }
    });
  }

  step('first start: not connected, and signing in to head office is offered', async () => {
    session = await Session.create(base, {
      alwaysMatch: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } },
    });
    await session.waitFor('[data-testid="nav-today"]', { timeout: 20_000 });
    await session.waitFor('[data-testid="sync-offer"]');
    const i = await session.until('indicator loaded', async () => {
      const x = await indicator();
      return x.state === 'local' ? x : null;
    });
    assert.equal(i.text, 'Not connected to head office');
    assert.match(i.label, /^Sync: Not connected to head office\. Select to sign in/);
    await shot('sync-first-start');
    await (await session.find('[data-testid="sync-offer-sign-in"]')).click();
    await session.waitFor('[data-testid="sign-in-screen"]');
  });

  step('a wrong password is explained; plain http elsewhere needs consent', async () => {
    const url = await session.find('[data-testid="sign-in-url"]');
    await url.clear();
    await url.sendKeys('http://192.0.2.10:8080');
    await session.waitFor('[data-testid="sign-in-insecure"]');
    await url.clear();
    await url.sendKeys(ho.base);
    await session.until('no consent box for loopback', async () => (await session.findAll('[data-testid="sign-in-insecure"]')).length === 0);
    await (await session.find('[data-testid="sign-in-user"]')).sendKeys('tech1');
    await (await session.find('[data-testid="sign-in-password"]')).sendKeys('not-the-password');
    await (await session.find('[data-testid="sign-in-submit"]')).click();
    const error = await session.waitFor('[data-testid="sign-in-error"]', { timeout: 20_000 });
    assert.match(await error.text(), /user name and password do not match/);
    await shot('sync-sign-in-wrong-password');
  });

  step('sign in as tech1: the jobs arrive and the indicator says synced', async () => {
    const password = await session.find('[data-testid="sign-in-password"]');
    await password.clear();
    await password.sendKeys('tech1-demo');
    await (await session.find('[data-testid="sign-in-submit"]')).click();
    await session.waitFor('[data-testid="today-screen"]', { timeout: 20_000 });
    const synced = await waitSynced();
    assert.match(synced.text, /^Synced /);
    const offers = await session.findAll('[data-testid="sync-offer"]');
    assert.equal(offers.length, 0, 'no sign-in offer once signed in');
    await session.hash('#/jobs');
    await session.waitFor('[data-testid="jobs-screen"]');
    const rows = await session.until('jobs listed', async () => {
      const r = await session.findAll('[data-testid="job-row"]');
      return r.length >= 2 ? r : null;
    }, 20_000);
    // Two of tech1's jobs that are booked and not started, as head office lists them.
    const onLaptop = new Set(await Promise.all(rows.map((r) => r.attribute('data-job-id'))));
    const desk = await dispatcher(ho.base);
    const booked = (await desk.get('/jobs?status=scheduled&limit=1000')).filter((j) => onLaptop.has(j.id));
    assert.ok(booked.length >= 2, `tech1 has two booked jobs on the laptop (${booked.length})`);
    job = { id: booked[0].id, number: booked[0].number };
    cancelled = { id: booked[1].id, number: booked[1].number };
    const tech = await session.find('[data-testid="header-technician"]');
    await session.until('the header names the signed-in technician', async () => {
      const text = await session.execute('return arguments[0].textContent', [tech.ref()]);
      return text.trim() !== '' && !text.includes('No technician');
    });
    await shot('sync-signed-in');
  });

  step('a note goes out at once, and the dispatcher sees it', async () => {
    const before = (await indicator()).lastSync;
    await session.hash(`#/job/${job.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`);
    const input = await session.waitFor('[data-testid="note-input"]');
    await input.click();
    await input.sendKeys(NOTE);
    await (await session.find('[data-testid="note-add"]')).click();
    await waitSynced(before);
    await shot('sync-note-sent');
    const desk = await dispatcher(ho.base);
    const record = await desk.get(`/jobs/${job.id}`);
    assert.ok(record.notes.some((n) => n.body === NOTE), `the note is at head office: ${JSON.stringify(record.notes)}`);
  });

  step('an article published with a picture reaches the laptop, and the picture shows', async () => {
    // A supervisor uploads a camera photo for an article and publishes it.
    const admin = await dispatcher(ho.base, 'admin', 'admin-demo');
    const picture = await admin.upload(
      '/kb/photos',
      fs.readFileSync(path.join(ROOT, 'testdata/photos/camera/DSCN0010.jpg')),
    );
    const written = await admin.post('/kb/articles', {
      category: 'washing_machine',
      brands: ['Midea'],
      fault_codes: ['E7'],
      photos: [picture.sha256],
      texts: [{ language: 'en', title: 'Midea E7: door lock wiring (with a picture)', steps: ['Check the lock plug.'] }],
    });
    const id = written.article.id;
    await admin.post(`/kb/articles/${id}/publish`, { version: 1 });

    // At the laptop's next sync the article and its picture come down; the article shows it.
    const before = (await indicator()).lastSync;
    await session.hash('#/sync');
    await (await session.waitFor('[data-testid="sync-now"]')).click();
    await waitSynced(before);
    await session.hash(`#/knowledge/${encodeURIComponent(id)}`);
    await session.waitFor(`[data-testid="kb-article"][data-article-id="${id}"]`);
    const shown = await session.until('the picture is loaded', async () => {
      const size = await session.execute(
        "const i = document.querySelector('[data-testid=\"kb-pictures\"] img'); return i && i.complete ? [i.naturalWidth, i.naturalHeight] : null;",
      );
      return size && size[0] > 0 ? size : null;
    }, 10_000);
    assert.deepEqual(shown, [picture.width, picture.height]);
    assert.equal((await session.findAll('[data-testid="picture-missing"]')).length, 0);
    await shot('sync-article-picture');
  });

  step('a change head office refuses is listed on the Sync page with the job and why', async () => {
    const desk = await dispatcher(ho.base);
    // The laptop has not pulled this yet: its next sync is at most 30 s away, and the click
    // below is a second or two.
    await desk.post(`/jobs/${cancelled.id}/cancel`, { reason: 'Customer called to cancel' });
    const before = (await indicator()).lastSync;
    await session.hash(`#/job/${cancelled.id}`);
    const button = await session.waitFor('[data-testid="move-en_route"]');
    await session.until('move-en_route enabled', () => button.enabled());
    // A note on the same job as well: head office refuses it too (the job is cancelled there),
    // it leaves the job on the laptop, and the Sync page still shows what it said. Both changes
    // are made within the laptop's 400 ms before it syncs a change.
    const input = await session.waitFor('[data-testid="note-input"]');
    await input.click();
    await input.sendKeys(REFUSED_NOTE);
    const add = await session.find('[data-testid="note-add"]');
    await add.click();
    await button.click();
    await waitSynced(before);
    await (await session.waitFor('[data-testid="nav-sync-issues"]', { timeout: 20_000 })).click();
    await session.waitFor('[data-testid="sync-screen"]');
    await session.until('two refusals listed', async () =>
      (await session.findAll('[data-testid="sync-issue"][data-kind="rejection"]')).length >= 2,
    20_000);
    const lines = await Promise.all(
      (await session.findAll('[data-testid="sync-issue"][data-kind="rejection"]')).map((r) => r.text()),
    );
    const text = lines.find((l) => /Status change/.test(l)) ?? '';
    assert.ok(text.includes(cancelled.number), `the status change names ${cancelled.number}: ${lines}`);
    const note = lines.find((l) => l.includes(REFUSED_NOTE)) ?? '';
    assert.ok(note.includes(cancelled.number), `the refused note is listed with its text: ${lines}`);
    await session.hash(`#/job/${cancelled.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${cancelled.id}"]`);
    const notesHere = await session.execute('return document.querySelector(\'[data-testid="job-screen"]\').textContent');
    assert.ok(!notesHere.includes(REFUSED_NOTE), 'the refused note left the job, as at head office');
    await (await session.waitFor('[data-testid="nav-sync-issues"]')).click();
    await session.waitFor('[data-testid="sync-screen"]');
    const state = await session.find('[data-testid="sync-state"]');
    assert.equal(await state.attribute('data-state'), 'synced');
    await shot('sync-page-issues');
  });

  step('a diagnosis replaced from a second laptop that had not seen it is listed as a conflict', async () => {
    // This laptop starts the job; a second laptop of tech1's (the CLI) receives it. This laptop
    // writes a diagnosis and sends it; the second laptop, which has not pulled since, writes
    // another and sends it later. Head office keeps the later one and logs the one it replaced
    // (the second laptop never saw it): a conflict, which reaches this laptop with its next pull.
    const first = (await indicator()).lastSync;
    await session.hash(`#/job/${job.id}`);
    for (const to of ['en_route', 'on_site', 'in_progress']) {
      const button = await session.waitFor(`[data-testid="move-${to}"]`);
      await session.until(`move-${to} enabled`, () => button.enabled());
      await button.click();
      await session.waitFor(`[data-testid="job-screen"][data-status="${to}"]`);
    }
    await waitSynced(first);

    const other = path.join(tmp, 'second-laptop');
    cli(other, ['init']);
    cli(other, ['login', ho.base, '--user', 'tech1', '--password-stdin', '--device-name', 'second laptop'], 'tech1-demo\n');
    cli(other, ['sync']);

    const typed = (await indicator()).lastSync;
    const field = await session.waitFor('[data-testid="field-diagnosis"]');
    await session.until('diagnosis editable', () => field.enabled());
    await field.click();
    await field.sendKeys(DIAGNOSIS_HERE);
    await (await session.find('[data-testid="job-number"]')).click(); // leaving the field saves it
    await waitSynced(typed);
    const desk = await dispatcher(ho.base);
    assert.equal((await desk.get(`/jobs/${job.id}`)).work_order.diagnosis, DIAGNOSIS_HERE);

    cli(other, ['job', 'diagnosis', job.number, DIAGNOSIS_ELSEWHERE]);
    cli(other, ['sync']);
    const record = await desk.get(`/jobs/${job.id}`);
    assert.equal(record.work_order.diagnosis, DIAGNOSIS_ELSEWHERE, 'the later diagnosis stands at head office');
    assert.ok(
      record.conflicts.some((c) => c.losing_value === DIAGNOSIS_HERE && c.winning_value === DIAGNOSIS_ELSEWHERE),
      `head office logged the replaced diagnosis: ${JSON.stringify(record.conflicts)}`,
    );

    const pulled = (await indicator()).lastSync;
    await (await session.find('[data-testid="sync-indicator"]')).click(); // sync now
    await waitSynced(pulled);
    await session.until('the field shows the diagnosis that was kept', async () =>
      (await session.execute(
        'return document.querySelector(\'[data-testid="field-diagnosis"]\')?.value ?? null',
      )) === DIAGNOSIS_ELSEWHERE,
    );
    await (await session.waitFor('[data-testid="nav-sync-issues"]', { timeout: 20_000 })).click();
    await session.waitFor('[data-testid="sync-screen"]');
    const line = await session.until('a conflict line for the job', async () => {
      for (const row of await session.findAll('[data-testid="sync-issue"][data-kind="conflict"]')) {
        const text = await row.text();
        if (text.includes(job.number)) return text;
      }
      return null;
    }, 20_000);
    assert.match(line, /Conflict/);
    assert.match(line, /Changed in two places/);
    assert.ok(
      line.includes(`Diagnosis: “${DIAGNOSIS_ELSEWHERE}” was kept; “${DIAGNOSIS_HERE}” was replaced.`),
      `the line says which diagnosis was kept: ${line}`,
    );
    await shot('sync-page-conflict');
  });

  step('sign out keeps the jobs; the indicator offers sign-in again', async () => {
    await (await session.find('[data-testid="sync-sign-out"]')).click();
    await session.until('signed out', async () => (await indicator()).state === 'local');
    await session.hash('#/jobs');
    const rows = await session.until('jobs still listed', async () => {
      const r = await session.findAll('[data-testid="job-row"]');
      return r.length > 0 ? r : null;
    });
    assert.ok(rows.length > 0);
  });

  step('signed in again, the laptop is revoked at head office: its data is erased and it says why', async () => {
    const shown = await session.waitFor('[data-testid="sync-indicator"]');
    await shown.click();
    await session.waitFor('[data-testid="sign-in-screen"]');
    await (await session.find('[data-testid="sign-in-url"]')).sendKeys(ho.base);
    await (await session.find('[data-testid="sign-in-user"]')).sendKeys('tech1');
    await (await session.find('[data-testid="sign-in-password"]')).sendKeys('tech1-demo');
    await (await session.find('[data-testid="sign-in-submit"]')).click();
    await waitSynced();

    const admin = await dispatcher(ho.base, 'admin', 'admin-demo');
    const devices = (await admin.get('/admin/devices')).filter((d) => d.user_name === 'tech1' && !d.revoked_at);
    assert.ok(devices.length > 0, 'the laptop is one of tech1’s devices');
    for (const d of devices) await admin.post(`/admin/devices/${d.id}/revoke`);

    await (await session.find('[data-testid="sync-indicator"]')).click(); // sync now
    const banner = await session.waitFor('[data-testid="sync-revoked"]', { timeout: 30_000 });
    assert.match(await banner.text(), /removed from head office/);
    const reason = await session.find('[data-testid="sync-revoked-reason"]');
    assert.match(await reason.text(), /revoked this device/);
    assert.equal((await indicator()).state, 'revoked');
    await session.hash('#/jobs');
    await session.waitFor('[data-testid="jobs-screen"]');
    await session.until('no jobs left', async () => (await session.findAll('[data-testid="job-row"]')).length === 0);
    await shot('sync-revoked');
  });

  step('signed in once more, head office goes away: the indicator says offline and what waits', async () => {
    await (await session.find('[data-testid="sync-indicator"]')).click();
    await session.waitFor('[data-testid="sign-in-screen"]');
    await (await session.find('[data-testid="sign-in-url"]')).sendKeys(ho.base);
    await (await session.find('[data-testid="sign-in-user"]')).sendKeys('tech1');
    await (await session.find('[data-testid="sign-in-password"]')).sendKeys('tech1-demo');
    await (await session.find('[data-testid="sign-in-submit"]')).click();
    await waitSynced();
    assert.equal((await session.findAll('[data-testid="sync-revoked"]')).length, 0, 'the revoked banner is gone');
    await ho.pause();
    await session.hash(`#/job/${job.id}`);
    const input = await session.waitFor('[data-testid="note-input"]', { timeout: 20_000 });
    await input.click();
    await input.sendKeys('E2E sync: written while head office is away');
    await (await session.find('[data-testid="note-add"]')).click();
    const offline = await session.until('indicator offline with 1 change waiting', async () => {
      const i = await indicator();
      return i.state === 'offline' && i.pending === 1 ? i : null;
    }, 30_000);
    assert.equal(offline.text, 'Offline · 1 change waiting');
    await shot('sync-offline');
  });

  step('the Sync page says why in a sentence, counts down to the next try, and "Sync now" answers at once', async () => {
    await session.hash('#/sync');
    await session.waitFor('[data-testid="sync-screen"]');
    const error = await session.waitFor('[data-testid="sync-last-error"]', { timeout: 20_000 });
    assert.equal(await error.attribute('data-code'), 'offline');
    assert.match(await error.text(), /^Head office cannot be reached/);
    // The transport's own words are at most the small print, never the sentence.
    const sentence = await session.execute(
      "const e = document.querySelector('[data-testid=\"sync-last-error\"]'); return e.firstChild.textContent.trim();",
    );
    assert.doesNotMatch(sentence, /os error|Connection refused|error sending request/);
    const next = await session.until('a countdown to the next try', async () => {
      const el = await session.findAll('[data-testid="sync-next-try"]');
      const text = el.length ? await el[0].text() : '';
      return /Next try in \d+ s/.test(text) ? text : null;
    }, 20_000);
    const seconds = Number(/(\d+)/.exec(next)[1]);
    assert.ok(seconds <= 15, `the next try is at most 15 s away: ${next}`);
    await (await session.find('[data-testid="sync-now"]')).click();
    const answered = await session.until('"Sync now" says it is trying, then why it did not sync', async () => {
      const el = await session.findAll('[data-testid="sync-now-state"]');
      return el.length ? el[0] : null;
    }, 2_000);
    const failed = await session.until('"Sync now" reports the failed try', async () =>
      (await answered.attribute('data-state')) === 'failed' ? answered : null,
    15_000);
    assert.match(await failed.text(), /^Still not synced: Head office cannot be reached/);
    await shot('sync-page-offline');
  });

  step('head office comes back: the laptop notices within seconds and sends what waited', async () => {
    await ho.start();
    const back = Date.now();
    await session.until('indicator synced with nothing waiting', async () => {
      const i = await indicator();
      return i.state === 'synced' && i.pending === 0 ? i : null;
    }, 20_000);
    console.error(`head office back → laptop synced: ${((Date.now() - back) / 1000).toFixed(1)} s`);
    const error = await session.findAll('[data-testid="sync-last-error"]');
    assert.equal(error.length, 0, 'the error is gone after a good round');
    await session.delete();
    session = null;
  });
});
