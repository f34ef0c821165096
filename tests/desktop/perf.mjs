// Scripted performance measurement of the technician desktop app (not a test: it prints figures).
// Release build, 100,000 jobs, driven through WebDriver under Xvfb: `make bench-desktop`.
//
// Figures:
//   cold start   process start → today's list rendered (performance mark 'fieldwork:today-ready',
//                against the process start time from /proc), and the same seen from outside
//                (WebDriver session request → first job row found).
//   search       last keystroke (input event) → the list answering the full text is in the DOM
//                and a frame has been drawn, for several queries typed through WebDriver.
//   open job     hash change → the job screen for that job is in the DOM and a frame is drawn,
//                for 50 different jobs.
//   memory       resident memory of the app process and of its WebKit child processes after
//                opening those 50 jobs.
//   size         the release binary.

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
const JOBS = Number(process.env.PERF_JOBS ?? 100_000);
const STARTS = 3;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));


const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => (x === null || Number.isNaN(x) ? 'n/a' : `${x.toFixed(1)} ms`);


function comm(pid) {
  return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/**
 * Proportional set size: resident memory with each shared page (the WebKit and GTK libraries are
 * mapped by the app and by each WebKit process) counted once across the processes sharing it, so
 * the processes' PSS add up to what the app really occupies.
 */
function pssKb(pid) {
  const m = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** The app's pid: the newest fieldwork-desktop under the driver's process tree. */
function appPid(driverPid) {
  const pids = processTree(driverPid).filter((p) => {
    try {
      return comm(p).startsWith('fieldwork-deskt');
    } catch {
      return false;
    }
  });
  return pids.at(-1);
}

/** Process start as Unix epoch milliseconds (from /proc; 10 ms resolution). */
function processStartEpochMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]);
  const btime = Number(/btime (\d+)/.exec(fs.readFileSync('/proc/stat', 'utf8'))[1]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return btime * 1000 + (startTicks / hz) * 1000;
}

async function main() {
  for (const [f, what] of [
    [APP, 'release fieldwork-desktop (make bench-desktop builds it)'],
    [CLI, 'release fieldwork CLI'],
    [DRIVER, 'tauri-driver'],
    [NATIVE, 'WebKitWebDriver'],
  ]) {
    if (!f || !fs.existsSync(f)) throw new Error(`${what} not found at ${f}`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-perf-'));
  const dataDir = path.join(tmp, 'data');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  let t = Date.now();
  execFileSync(CLI, ['--data-dir', dataDir, 'seed', '--jobs', String(JOBS)], { stdio: 'ignore' });
  console.log(`seeded ${JOBS} jobs in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const dbBytes = fs.statSync(path.join(dataDir, 'fieldwork.db')).size;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const driver = spawn(
    DRIVER,
    ['--port', String(port), '--native-port', String(await freePort()), '--native-driver', NATIVE],
    {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: path.join(home, '.local/share'),
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_CACHE_HOME: path.join(home, '.cache'),
        LANG: 'C.UTF-8',
        LANGUAGE: 'en',
      },
    },
  );
  const results = {};
  try {
    await waitForDriver(base);
    const caps = { alwaysMatch: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } } };

    // Cold start, several times (each a new process; the first one also has a cold page cache
    // for the WebKit libraries, as after a reboot it would).
    const inApp = [];
    const outside = [];
    let session;
    for (let i = 0; i < STARTS; i++) {
      if (session) await session.delete();
      t = performance.now();
      session = await Session.create(base, caps);
      await session.waitFor('[data-testid="job-row"]', { timeout: 30_000 });
      outside.push(performance.now() - t);
      const pid = appPid(driver.pid);
      const readyEpoch = await session.until('today-ready mark', () =>
        session.execute(
          "const m = performance.getEntriesByName('fieldwork:today-ready')[0]; return m ? performance.timeOrigin + m.startTime : null;",
        ),
      );
      inApp.push(readyEpoch - processStartEpochMs(pid));
    }
    results.cold_start_ms = { process_to_today_list: inApp, webdriver_to_first_row: outside };

    // Search as you type, on the Jobs screen.
    const clearSearch = () =>
      session.execute(
        `const b = document.querySelector('[data-testid="search-input"]'); b.value = ''; b.dispatchEvent(new Event('input', { bubbles: true }));`,
      );
    await session.execute("window.location.hash = '#/jobs';");
    const searchBox = await session.waitFor('[data-testid="search-input"]');
    await session.waitFor('[data-testid="jobs-screen"][data-shown-text=""]', { timeout: 30_000 });
    await session.execute(`
      const box = document.querySelector('[data-testid="search-input"]');
      const screen = document.querySelector('[data-testid="jobs-screen"]');
      window.__perf = { lastInput: 0, shown: {}, inDom: {} };
      box.addEventListener('input', () => { window.__perf.lastInput = performance.now(); });
      new MutationObserver(() => {
        const text = screen.getAttribute('data-shown-text');
        window.__perf.inDom[text] = performance.now() - window.__perf.lastInput;
        requestAnimationFrame(() => { window.__perf.shown[text] = performance.now() - window.__perf.lastInput; });
      }).observe(screen, { attributes: true, attributeFilter: ['data-shown-text'] });
    `);
    // A job number fragment that exists in this store (the newest job's number less its last two
    // digits: a hundred jobs), typed as a technician would from a paper order.
    const newest = await session.execute(
      "return document.querySelector('[data-testid=\"job-row\"]').dataset.jobNumber;",
    );
    const lastIpc = (name) =>
      session.execute(
        'const m = performance.getEntriesByName(arguments[0]); return m.length ? m[m.length - 1].duration : null;',
        [`ipc:${name}`],
      );
    const queries = ['washing', 'zhang', '洗衣机', '1380', newest.slice(0, -2), 'leak', 'drain pump', '空调'];
    const search = {};
    for (const q of queries) {
      await clearSearch();
      await session.waitFor('[data-testid="jobs-screen"][data-shown-text=""]', { timeout: 30_000 });
      await searchBox.sendKeys(q);
      const latency = await session.until(`results for ${q}`, () =>
        session.execute('return window.__perf.shown[arguments[0]] ?? null;', [q]),
      30_000);
      const rows = (await session.findAll('[data-testid="job-row"]')).length;
      const inDom = await session.execute('return window.__perf.inDom[arguments[0]];', [q]);
      search[q] = {
        ms: Number(latency.toFixed(1)),
        rows,
        ipc_ms: (await lastIpc('query_jobs')) ?? NaN,
        in_dom_ms: Number(inDom.toFixed(1)),
      };
    }
    results.search_after_last_keystroke = search;

    // Open 50 jobs, one after another, straight from their hash route.
    const ids = await session.execute(
      "return [...document.querySelectorAll('[data-testid=\"job-row\"]')].map((r) => r.dataset.jobId);",
    );
    await clearSearch();
    await session.waitFor('[data-testid="jobs-screen"][data-shown-text=""]', { timeout: 30_000 });
    const allIds = await session.execute(
      "return [...document.querySelectorAll('[data-testid=\"job-row\"]')].map((r) => r.dataset.jobId);",
    );
    const toOpen = [...new Set([...ids, ...allIds])].slice(0, 50);
    await session.setTimeouts({ script: 30_000 });
    const opens = [];
    const opensIpc = [];
    const opensDom = [];
    for (const id of toOpen) {
      const took = await session.executeAsync(
        `const [id, done] = arguments;
         const t0 = performance.now();
         const found = () => document.querySelector('[data-testid="job-screen"][data-job-id="' + id + '"]');
         const obs = new MutationObserver(() => {
           if (found()) {
             obs.disconnect();
             const inDom = performance.now() - t0;
             requestAnimationFrame(() => done([performance.now() - t0, inDom]));
           }
         });
         obs.observe(document.body, { childList: true, subtree: true, attributes: true });
         window.location.hash = '#/job/' + id;`,
        [id],
      );
      opens.push(took[0]);
      opensDom.push(took[1]);
      opensIpc.push(await lastIpc('job_view'));
    }
    results.open_job_ms = {
      count: opens.length,
      median: median(opens),
      p95: pct(opens, 95),
      max: Math.max(...opens),
      in_dom_median: median(opensDom),
      job_view_ipc_median: median(opensIpc),
      job_view_ipc_p95: pct(opensIpc, 95),
    };

    await sleep(1000);
    const pid = appPid(driver.pid);
    const tree = processTree(pid);
    const perProcess = tree.map((p) => ({
      pid: p,
      name: comm(p),
      rss_mb: rssKb(p) / 1024,
      pss_mb: pssKb(p) / 1024,
    }));
    results.memory_after_50_jobs_mb = {
      app_process: rssKb(pid) / 1024,
      app_and_webkit_children: perProcess.reduce((a, p) => a + p.rss_mb, 0),
      app_and_webkit_children_pss: perProcess.reduce((a, p) => a + p.pss_mb, 0),
      processes: perProcess,
    };
    await session.delete();
  } finally {
    try {
      process.kill(-driver.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  results.release_binary_mb = fs.statSync(APP).size / 1024 / 1024;
  results.database_mb = dbBytes / 1024 / 1024;

  const c = results.cold_start_ms;
  console.log(`\nFieldwork desktop, release build, ${JOBS} jobs`);
  console.log(`cold start, process start → Today list rendered: ${c.process_to_today_list.map(ms).join(', ')} (target ≤ 1500 ms)`);
  console.log(`cold start, WebDriver session request → first row found: ${c.webdriver_to_first_row.map(ms).join(', ')}`);
  for (const [q, r] of Object.entries(results.search_after_last_keystroke)) {
    console.log(`search "${q}": ${ms(r.ms)} after the last keystroke, ${r.rows} rows (its query_jobs call ${ms(r.ipc_ms)}, in the DOM after ${ms(r.in_dom_ms)}; target ≤ 100 ms)`);
  }
  const o = results.open_job_ms;
  console.log(`open job (${o.count}): median ${ms(o.median)}, p95 ${ms(o.p95)}, max ${ms(o.max)} (target ≤ 100 ms); job_view call median ${ms(o.job_view_ipc_median)}, p95 ${ms(o.job_view_ipc_p95)}; in the DOM (before the frame) median ${ms(o.in_dom_median)}`);
  const m = results.memory_after_50_jobs_mb;
  console.log(
    `memory after opening 50 jobs: app process ${m.app_process.toFixed(0)} MB RSS; with WebKit children ` +
      `${m.app_and_webkit_children.toFixed(0)} MB RSS (shared libraries counted in each), ` +
      `${m.app_and_webkit_children_pss.toFixed(0)} MB PSS (counted once) (target ≤ 200 MB)`,
  );
  for (const p of m.processes) console.log(`  ${p.pid} ${p.name}: ${p.rss_mb.toFixed(0)} MB RSS, ${p.pss_mb.toFixed(0)} MB PSS`);
  console.log(`release binary: ${results.release_binary_mb.toFixed(1)} MB; database: ${results.database_mb.toFixed(0)} MB`);
  if (process.env.PERF_JSON) fs.writeFileSync(process.env.PERF_JSON, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
