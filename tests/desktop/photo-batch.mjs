// Scripted measurement (not a test: it prints figures) of issue 4's "the UI stays responsive
// during a batch of 30 photos": the release app, driven through WebDriver under Xvfb
// (`make bench-photo-batch`), imports 30 large camera photos in one batch through the Photos
// card's file input, while a note is typed on the same screen.
//
// Figures, measured in the page:
//   frame gaps     time between consecutive animation frames during the batch: the longest, the
//                  p95 and p99, and how many were over 50 and 100 ms (a gap is a frame the
//                  window could not draw: the page was busy or starved of CPU).
//   keystrokes     one key every 250 ms typed into the note field through WebDriver: the key's
//                  event time → the first frame after its input event (the character on screen),
//                  and WebDriver's round trip for the key from outside.
//   batch          the file input's change event → the 30th photo in the grid; and the photos
//                  `fieldwork photo list` then counts.
//   baseline       the same keystrokes and frames with no batch running, just before it.
//   threads        CPU time and time spent waiting for a CPU (the kernel's schedstat) of the
//                  app's and WebKit's threads during the batch: whether the window's painting
//                  threads had too much work of their own or were starved of CPU.
//
// Options: PHOTO_BATCH_PHOTOS=DIR uses the photos in DIR (to repeat a run quickly),
// PHOTO_BATCH_IDLE_MS the idle time measured before the batch, PHOTO_BATCH_JSON=FILE writes the
// raw figures, FIELDWORK_DESKTOP_BIN / FIELDWORK_CLI_BIN other builds.
//
// The window draws through Mesa's software OpenGL under Xvfb; with an empty shader cache it
// compiles its shaders while the page first draws, and frames stall for seconds whatever the
// app does (a laptop has a warm cache). So the cache is kept in target/ between runs, and a
// warm-up (two photos imported, a few keys typed) comes before the measured batch.
//
// The photos: the camera files of testdata/photos, and large JPEGs made from the 8 MP
// Jolla phone photo with ImageMagick (8 and 12 MP, each a little different, so none is a
// duplicate), copied into a temporary folder.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, processTree } from './procs.mjs';
import { Session, waitForDriver } from './webdriver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const APP = process.env.FIELDWORK_DESKTOP_BIN ?? path.join(ROOT, 'target/release/fieldwork-desktop');
const CLI = process.env.FIELDWORK_CLI_BIN ?? path.join(ROOT, 'target/release/fieldwork');
const DRIVER =
  process.env.TAURI_DRIVER_BIN ??
  [path.join(os.homedir(), '.cargo/bin/tauri-driver'), '/usr/local/bin/tauri-driver'].find((p) => fs.existsSync(p));
const NATIVE = process.env.WEBKIT_WEBDRIVER_BIN ?? '/usr/bin/WebKitWebDriver';
const CAMERA = path.resolve(ROOT, 'testdata/photos/camera');
const PHOTOS = 30;
const KEY_EVERY_MS = 250;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (x) => `${x.toFixed(1)} ms`;

function cli(dataDir, ...args) {
  return JSON.parse(execFileSync(CLI, ['--data-dir', dataDir, '--json', ...args], { encoding: 'utf8' }));
}


/**
 * CPU time and time spent waiting for a CPU (run queue), in ms, of every thread of the app and
 * its WebKit processes, from the kernel's schedstat: says whether the window's threads were
 * starved of CPU or had work of their own.
 */
function threadTimes(root) {
  const out = new Map();
  for (const pid of processTree(root)) {
    let comm;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (!/^(fieldwork-desk|WebKit)/.test(comm)) continue;
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const [cpu, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        out.set(`${pid}/${tid}`, { process: comm, name, cpu: cpu / 1e6, wait: wait / 1e6 });
      } catch {
        /* gone */
      }
    }
  }
  return out;
}

/** CPU time (user + system, ms) of each app and WebKit process, finished threads included. */
function processTimes(root) {
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const out = new Map();
  for (const pid of processTree(root)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!/^(fieldwork-desk|WebKit)/.test(comm)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, { comm, cpu: ((Number(f[11]) + Number(f[12])) * 1000) / hz });
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Per thread name and process: CPU and run-queue wait between two `threadTimes` snapshots. */
function threadDelta(before, after) {
  const sums = new Map();
  for (const [key, a] of after) {
    const b = before.get(key) ?? { cpu: 0, wait: 0 };
    const name = `${a.process}: ${a.name}`;
    const s = sums.get(name) ?? { cpu: 0, wait: 0, threads: 0 };
    s.cpu += a.cpu - b.cpu;
    s.wait += a.wait - b.wait;
    s.threads += 1;
    sums.set(name, s);
  }
  return [...sums].sort((x, y) => y[1].cpu + y[1].wait - (x[1].cpu + x[1].wait));
}

/** The batch's files: the real camera files, then generated large JPEGs up to `PHOTOS`. */
function makePhotos(dir) {
  fs.mkdirSync(dir);
  const files = [];
  for (const name of fs.readdirSync(CAMERA).sort()) {
    const to = path.join(dir, name);
    fs.copyFileSync(path.join(CAMERA, name), to);
    files.push(to);
  }
  const jolla = path.join(CAMERA, 'jolla.jpg');
  for (let i = 0; files.length < PHOTOS; i++) {
    const to = path.join(dir, `generated-${String(i + 1).padStart(2, '0')}.jpg`);
    // Every other one 12 MP (4000×3000), the rest 8 MP like the phone's own; a hue shift makes
    // each one different pixels. EXIF (with its orientation and time) stays, as a camera's would.
    const size = i % 2 ? ['-resize', '4000x3000!'] : [];
    execFileSync('convert', [jolla, ...size, '-modulate', `100,100,${90 + i}`, '-quality', '92', to]);
    files.push(to);
  }
  return files;
}

async function main() {
  for (const [f, what] of [
    [APP, 'release fieldwork-desktop (make bench-photo-batch builds it)'],
    [CLI, 'release fieldwork CLI'],
    [DRIVER, 'tauri-driver'],
    [NATIVE, 'WebKitWebDriver'],
    [CAMERA, 'testdata/photos/camera'],
  ]) {
    if (!f || !fs.existsSync(f)) throw new Error(`${what} not found at ${f}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-photo-batch-'));
  const dataDir = path.join(tmp, 'data');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  let driver;
  try {
    let t = Date.now();
    // PHOTO_BATCH_PHOTOS names a folder of photos to use instead (to repeat a run quickly).
    const files = process.env.PHOTO_BATCH_PHOTOS
      ? fs.readdirSync(process.env.PHOTO_BATCH_PHOTOS).sort().map((f) => path.join(process.env.PHOTO_BATCH_PHOTOS, f)).slice(0, PHOTOS)
      : makePhotos(path.join(tmp, 'photos'));
    const totalBytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
    console.log(`${files.length} photos (${(totalBytes / 1e6).toFixed(0)} MB) ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // A job of today's, in progress (photos can be added).
    cli(dataDir, 'seed', '--jobs', '300', '--seed', '7');
    const job = cli(dataDir, 'jobs', '--today').find((j) => j.status === 'scheduled') ?? cli(dataDir, 'jobs', '--today')[0];
    for (const to of ['en_route', 'on_site', 'in_progress']) cli(dataDir, 'job', 'status', job.id, to);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    driver = spawn(DRIVER, ['--port', String(port), '--native-port', String(await freePort()), '--native-driver', NATIVE], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: path.join(home, '.local/share'),
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        MESA_SHADER_CACHE_DIR: process.env.MESA_SHADER_CACHE_DIR ?? path.join(ROOT, 'target/photo-batch-shader-cache'),
        LANG: 'C.UTF-8',
        LANGUAGE: 'en',
      },
    });
    await waitForDriver(base);
    const session = await Session.create(base, {
      alwaysMatch: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } },
    });
    await session.waitFor('[data-testid="nav-today"]', { timeout: 30_000 });
    await session.hash(`#/job/${job.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`, { timeout: 15_000 });
    const input = await session.waitFor('[data-testid="photo-input"]', { visible: false });
    const note = await session.waitFor('[data-testid="note-input"]');
    await note.click();
    // Warm-up: two photos through the same path, a few keys into the note, then a rest.
    await input.sendKeys(files.slice(0, 2).join('\n'));
    await session.until('warm-up photos shown', async () => (await session.findAll('[data-testid="photo"]')).length >= 2, 60_000);
    await note.sendKeys('warm-up ');
    await sleep(2000);
    const already = (await session.findAll('[data-testid="photo"]')).length;

    // In the page: every animation frame's time, each key's latency to the frame that shows it,
    // the batch's start (the file input's change) and end (the last photo in the grid).
    await session.execute(
      `const [target] = arguments;
       const pb = (window.__batch = { frames: [], keys: [], start: null, end: null, stop: false });
       const loop = (ts) => { pb.frames.push(ts); if (!pb.stop) requestAnimationFrame(loop); };
       requestAnimationFrame(loop);
       const note = document.querySelector('[data-testid="note-input"]');
       let pending = null;
       note.addEventListener('keydown', (e) => { pending = e.timeStamp; });
       note.addEventListener('input', () => {
         const t0 = pending;
         const handled = performance.now();
         requestAnimationFrame(() => {
           const now = performance.now();
           pb.keys.push({ at: handled, toFrame: now - (t0 ?? handled), handledToFrame: now - handled });
         });
       });
       document.querySelector('[data-testid="photo-input"]').addEventListener('change', () => { pb.start = performance.now(); }, { capture: true });
       const count = () => document.querySelectorAll('[data-testid="photo"]').length;
       new MutationObserver(() => {
         if (pb.end === null && count() >= target) pb.end = performance.now();
       }).observe(document.body, { childList: true, subtree: true });`,
      [already + files.length],
    );
    // For comparison: frames with nothing happening, then keys typed with no batch running.
    await sleep(Number(process.env.PHOTO_BATCH_IDLE_MS ?? 1000));
    const typeKey = async (k) => {
      const k0 = performance.now();
      await session.actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: k }, { type: 'keyUp', value: k }] }]);
      const took = performance.now() - k0;
      await sleep(Math.max(0, KEY_EVERY_MS - took));
      return took;
    };
    const idleRoundTrips = [];
    for (const k of 'baseline ') idleRoundTrips.push(await typeKey(k));
    await sleep(500);
    const idleUntil = await session.execute('return performance.now();');

    const timesBefore = threadTimes(driver.pid);
    const processesBefore = processTimes(driver.pid);
    if (process.env.PHOTO_BATCH_MARK) fs.writeFileSync(process.env.PHOTO_BATCH_MARK, 'started');
    t = performance.now();
    await input.sendKeys(files.join('\n'));
    // Type into the note while the batch runs; WebDriver's round trip for each key too.
    const roundTrips = [];
    const letters = 'the ui stays responsive while thirty photos are imported ';
    let typed = 0;
    for (;;) {
      const done = await session.execute('return window.__batch.end !== null;');
      if (done) break;
      if (performance.now() - t > 600_000) throw new Error('the batch did not finish in 10 minutes');
      roundTrips.push(await typeKey(letters[typed % letters.length]));
      typed += 1;
    }
    const timesAfter = threadTimes(driver.pid);
    const processesAfter = processTimes(driver.pid);
    const batchWall = performance.now() - t;
    await sleep(500);
    const r = await session.execute(
      `window.__batch.stop = true;
       const b = window.__batch;
       // The app's own timing of each command's round trip, where the build records it.
       const ipc = (name) => performance.getEntriesByName('ipc:' + name).filter((m) => m.startTime >= b.start && m.startTime <= b.end).map((m) => m.duration);
       return { frames: b.frames, keys: b.keys, start: b.start, end: b.end, noteLength: document.querySelector('[data-testid="note-input"]').value.length,
                jobView: ipc('job_view'), importPhoto: ipc('import_photo') };`,
    );
    const failed = await session.findAll('[data-testid="photo-queue-item"][data-state="failed"]');
    await session.delete();

    const gapsIn = (from, to) => {
      const gaps = [];
      for (let i = 1; i < r.frames.length; i++) {
        if (r.frames[i - 1] >= from && r.frames[i] <= to) gaps.push(r.frames[i] - r.frames[i - 1]);
      }
      return gaps;
    };
    const idle = gapsIn(0, idleUntil);
    const during = gapsIn(r.start, r.end);
    const listed = cli(dataDir, 'photo', 'list', job.id).length;
    const batchKeys = r.keys.filter((k) => k.at >= r.start);
    const idleKeys = r.keys.filter((k) => k.at < r.start).map((k) => k.toFrame);
    const toFrame = batchKeys.map((k) => k.toFrame);
    const handled = batchKeys.map((k) => k.handledToFrame);

    console.log(`\nFieldwork desktop (${path.relative(ROOT, APP)}): ${files.length} photos imported in one batch through the window (job ${job.number})`);
    console.log(`batch: ${((r.end - r.start) / 1000).toFixed(1)} s from the file input's change to the last photo in the grid (${((r.end - r.start) / files.length).toFixed(0)} ms a photo); ${listed - already} photos in \`fieldwork photo list\`, ${failed.length} failed`);
    console.log(
      `frame gaps during the batch (${during.length} frames): longest ${ms(Math.max(...during))}, p95 ${ms(pct(during, 95))}, p99 ${ms(pct(during, 99))}, ` +
        `${during.filter((g) => g > 50).length} over 50 ms, ${during.filter((g) => g > 100).length} over 100 ms (target: none over 100 ms)`,
    );
    console.log(`keystrokes with no batch running: key event → frame showing it: median ${ms(pct(idleKeys, 50))}, max ${ms(Math.max(...idleKeys))}; WebDriver round trip median ${ms(pct(idleRoundTrips, 50))}`);
    console.log(`frame gaps idle before it (${idle.length} frames): longest ${ms(Math.max(...idle))}, p95 ${ms(pct(idle, 95))}`);
    console.log(
      `keystrokes typed into the note during the batch: ${batchKeys.length} of ${typed} (note holds ${r.noteLength}); key event → frame showing it: ` +
        `median ${ms(pct(toFrame, 50))}, p95 ${ms(pct(toFrame, 95))}, max ${ms(Math.max(...toFrame))}; input handler → frame: median ${ms(pct(handled, 50))}, max ${ms(Math.max(...handled))}`,
    );
    if (r.jobView.length) {
      console.log(
        `commands during the batch: job_view ×${r.jobView.length} median ${ms(pct(r.jobView, 50))}, max ${ms(Math.max(...r.jobView))}; ` +
          `import_photo ×${r.importPhoto.length} median ${ms(pct(r.importPhoto, 50))}, max ${ms(Math.max(...r.importPhoto))} (queue wait included)`,
      );
    }
    console.log(`WebDriver round trip per key: median ${ms(pct(roundTrips, 50))}, p95 ${ms(pct(roundTrips, 95))}, max ${ms(Math.max(...roundTrips))}`);
    const machine = os.loadavg()[0];
    console.log(`threads of the app and WebKit during the batch (${(batchWall / 1000).toFixed(1)} s; load average ${machine.toFixed(1)} on ${os.cpus().length} cores): CPU time / time waiting for a CPU`);
    for (const [name, d] of threadDelta(timesBefore, timesAfter).slice(0, 10)) {
      console.log(`  ${name} (${d.threads}): ${d.cpu.toFixed(0)} ms / ${d.wait.toFixed(0)} ms`);
    }
    const perProcess = [...processesAfter].map(([pid, a]) => `${a.comm} ${(a.cpu - (processesBefore.get(pid)?.cpu ?? 0)).toFixed(0)} ms`);
    console.log(`CPU time per process during the batch (finished photo threads included): ${perProcess.join(', ')}`);
    if (process.env.PHOTO_BATCH_JSON) {
      fs.writeFileSync(
        process.env.PHOTO_BATCH_JSON,
        JSON.stringify({ batch_ms: r.end - r.start, during, idle, keys: r.keys, roundTrips, listed: listed - already, failed: failed.length }, null, 2),
      );
    }
    if (listed - already !== files.length || failed.length > 0) {
      throw new Error(`${files.length} photos were sent, ${listed - already} stored, ${failed.length} failed`);
    }
  } finally {
    if (driver) {
      try {
        process.kill(-driver.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
