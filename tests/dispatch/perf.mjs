// The dispatcher console's board under load (issue 6: "a board with 5,000 open jobs and 200
// technicians is interactive <= 1 s after navigation"). Seeds a head office with 5,000 demo jobs
// and 200 technicians, signs in with Debian's Chromium and measures, in the page's own clock,
// from navigation start until the board's lanes and cards are on screen and a card answers a
// click; then a day switch and a live reload. Prints the figures; exits 1 when the navigation
// figure is over budget. Run with `make bench-dispatch`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { ROOT, startHeadOffice } from './headoffice.mjs';

const JOBS = Number(process.env.BENCH_JOBS || 5000);
const TECHNICIANS = Number(process.env.BENCH_TECHNICIANS || 200);
const BUDGET_MS = 1000;

const require = createRequire(join(ROOT, 'ui', 'package.json'));
const { chromium } = require('playwright-core');

const t0 = Date.now();
const ho = await startHeadOffice({
  jobs: JOBS,
  prepare: (bin, dataDir) => {
    // The demo has three technicians; the rest are added like an admin would.
    for (let i = 4; i <= TECHNICIANS; i++) {
      const r = spawnSync(
        bin,
        ['--data-dir', dataDir, 'user', 'add', `bench${i}`, '--role', 'technician', '--password-stdin'],
        { input: `bench${i}-password\n`, encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`user add: ${r.stderr}`);
    }
  },
});
console.log(`head office with ${JOBS} jobs and ${TECHNICIANS} technicians ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(`${ho.base}/`);
  await page.getByTestId('sign-in-user').fill('dispatcher');
  await page.getByTestId('sign-in-password').fill('dispatcher-demo');
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('board-screen').waitFor();

  // A function, not a string: the console's CSP (rightly) refuses to evaluate strings.
  const ready = (lanes) =>
    document.querySelectorAll('[data-testid="lane"]').length === lanes &&
    document.querySelectorAll('[data-testid="job-card"]').length > 0;
  const runs = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('about:blank');
    await page.goto(`${ho.base}/#/board`);
    await page.waitForFunction(ready, TECHNICIANS, { timeout: 60_000, polling: 'raf' });
    // Interactive: a click on the first card's Schedule button opens the dialog at once.
    const ms = await page.evaluate(async () => {
      const rendered = performance.now();
      const api = performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/v1/'))
        .reduce((end, e) => Math.max(end, e.responseEnd), 0);
      document.querySelector('[data-testid="card-schedule"]').click();
      await new Promise((r) => requestAnimationFrame(() => r()));
      const open = document.querySelector('[data-testid="schedule-dialog"][open]') !== null;
      document.querySelector('[data-testid="schedule-dialog"]').close();
      return { rendered, api, interactive: performance.now(), open };
    });
    if (!ms.open) throw new Error('the schedule dialog did not open');
    runs.push(ms);
  }
  const counts = await page.evaluate(() => ({
    cards: document.querySelectorAll('[data-testid="job-card"]').length,
    lanes: document.querySelectorAll('[data-testid="lane"]').length,
    queue: document.querySelectorAll('[data-testid="queue"] [data-testid="job-card"]').length,
    // What the board holds (the badges), not only what is drawn.
    booked: [...document.querySelectorAll('[data-testid="lane"] .count')].reduce(
      (n, e) => n + Number(e.textContent),
      0,
    ),
    waiting: Number(document.querySelector('[data-testid="queue"] .count')?.textContent ?? 0),
  }));
  const best = Math.min(...runs.map((r) => r.interactive));
  const worst = Math.max(...runs.map((r) => r.interactive));
  console.log(
    `board: ${counts.lanes} lanes; ${counts.booked} jobs booked today and ${counts.waiting} unassigned loaded; ` +
      `${counts.cards} cards drawn (${counts.queue} of the queue; lanes and queue show more on request)`,
  );
  console.log(`navigation -> board rendered and interactive: best ${best.toFixed(0)} ms, worst ${worst.toFixed(0)} ms (3 runs; budget ${BUDGET_MS} ms)`);
  for (const r of runs) {
    console.log(`  run: last API answer at ${r.api.toFixed(0)} ms, rendered at ${r.rendered.toFixed(0)} ms, interactive at ${r.interactive.toFixed(0)} ms`);
  }

  // Next day, measured from the click.
  const next = await page.evaluate(async () => {
    const start = performance.now();
    const day = document.querySelector('[data-testid="board-screen"]').dataset.day;
    document.querySelector('[data-testid="day-next"]').click();
    await new Promise((resolve) => {
      const check = () => {
        const b = document.querySelector('[data-testid="board-screen"]');
        if (b && b.dataset.day !== day && document.querySelector('[data-testid="lane"]')) resolve();
        else requestAnimationFrame(check);
      };
      check();
    });
    return performance.now() - start;
  });
  console.log(`day switch -> next day's board: ${next.toFixed(0)} ms`);
  if (worst > BUDGET_MS) failed = true;
} finally {
  await browser.close();
  await ho.stop();
}
if (failed) {
  console.log(`over budget (${BUDGET_MS} ms)`);
  process.exit(1);
}
