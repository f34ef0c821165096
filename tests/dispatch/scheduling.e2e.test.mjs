// Double bookings and bookings that miss their deadline, as a dispatcher clicks them: Debian's
// Chromium (playwright-core) against the real head office with demo data (issue 12, points 6
// and 7). The Schedule dialog suggests each technician's own next free slot; booking a
// technician over an existing appointment shows a warning and needs a confirmation, then is
// saved; an urgent job booked after its on-site deadline is flagged in the dialog, on its board
// card and on the SLA watch (with a request past its acknowledgement deadline).
// Screenshots go to target/e2e-screenshots/ (scheduling-*.png).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { ROOT, startHeadOffice } from './headoffice.mjs';

const require = createRequire(join(ROOT, 'ui', 'package.json'));
const { chromium } = require('playwright-core');

const SHOTS = join(ROOT, 'target', 'e2e-screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
/** The console runs where the company plans: China. */
const TZ = 'Asia/Shanghai';
const OFFSET_MS = 8 * 3_600_000;

let ho;
let browser;
let page;
const pageErrors = [];
let failed = null;

function step(name, fn) {
  test(name, async () => {
    if (failed) throw new Error(`not run: an earlier step failed (${failed})`);
    try {
      await fn();
    } catch (e) {
      failed = name;
      await page
        ?.screenshot({ path: join(SHOTS, `failed-scheduling-${name.replace(/\W+/g, '-')}.png`) })
        .catch(() => {});
      throw e;
    }
  });
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ho = await startHeadOffice({ jobs: 12 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'en-GB',
    timezoneId: TZ,
  });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
  });
});

after(async () => {
  await browser?.close();
  await ho?.stop();
});

const byTest = (id) => page.getByTestId(id);

async function shoot(name) {
  const hide = (v) =>
    page.evaluate((value) => {
      const t = document.querySelector('.toasts');
      if (t) t.style.display = value;
    }, v);
  await hide('none');
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
  await hide('');
}

/** The API as the signed-in browser calls it (same cookie jar). */
async function api(method, path, body) {
  const session = await page.request.get(`${ho.base}/api/v1/auth/session`);
  const csrf = session.ok() ? (await session.json()).csrf_token : '';
  const r = await page.request.fetch(`${ho.base}${path}`, { method, headers: { 'x-csrf-token': csrf }, data: body });
  assert.ok(r.ok(), `${method} ${path}: ${r.status()} ${await r.text()}`);
  return r.status() === 204 ? null : r.json();
}

/** `YYYY-MM-DD` in China, `days` from today. */
function chinaDay(days) {
  return new Date(Date.now() + OFFSET_MS + days * 86_400_000).toISOString().slice(0, 10);
}

/** The instant of `hh:mm` in China on `day`. */
function chinaTime(day, hhmm) {
  return new Date(`${day}T${hhmm}:00+08:00`);
}

async function newJob(priority, problem, reportedAgoMs = 0) {
  const customers = await api('GET', '/api/v1/customers?limit=1');
  const sites = await api('GET', `/api/v1/customers/${customers[0].id}/sites`);
  return api('POST', '/api/v1/jobs', {
    job_type: 'repair',
    priority,
    customer_id: customers[0].id,
    site_id: sites[0].id,
    reported_problem: problem,
    reported_at: new Date(Date.now() - reportedAgoMs).toISOString(),
  });
}

/** Opens the Schedule dialog of the queued job `number` on the board of `day`. */
async function openSchedule(day, number) {
  await page.goto(`${ho.base}/#/board/${day}`);
  const card = page.locator(`[data-testid="queue"] [data-job-number="${number}"]`);
  await card.waitFor();
  await card.getByTestId('card-schedule').click();
  await byTest('schedule-dialog').waitFor();
}

async function fields() {
  return {
    day: await byTest('schedule-day').inputValue(),
    from: await byTest('schedule-from').inputValue(),
    to: await byTest('schedule-to').inputValue(),
  };
}

const D = chinaDay(3);
let tech1;
let tech2;
let booked;
let toPlan;
let urgent;
let unacknowledged;

step('the dispatcher signs in; tech1 has a job on day D 08:00–10:00', async () => {
  await page.goto(`${ho.base}/`);
  await byTest('sign-in-user').fill('dispatcher');
  await byTest('sign-in-password').fill('dispatcher-demo');
  await byTest('sign-in-submit').click();
  await byTest('board-screen').waitFor();
  const techs = await api('GET', '/api/v1/technicians');
  tech1 = techs.find((t) => t.id === 'tech-tech1') ?? techs[0];
  tech2 = techs.find((t) => t.id !== tech1.id && t.active);
  booked = await newJob('normal', 'Scheduling e2e: the first booking');
  await api('POST', `/api/v1/jobs/${booked.id}/schedule`, {
    assignee_id: tech1.id,
    appointment_start: chinaTime(D, '08:00').toISOString(),
    appointment_end: chinaTime(D, '10:00').toISOString(),
  });
  toPlan = await newJob('normal', 'Scheduling e2e: to plan');
});

step('the dialog suggests each technician’s own next free slot', async () => {
  await openSchedule(D, toPlan.number);
  const select = byTest('schedule-technician');
  await select.selectOption(tech1.id);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="schedule-from"]')?.value === '10:00',
  );
  const forTech1 = await fields();
  assert.deepEqual(forTech1, { day: D, from: '10:00', to: '12:00' }, 'tech1 is busy until 10:00');
  await byTest('schedule-suggestion-window').waitFor();
  await select.selectOption(tech2.id);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="schedule-from"]')?.value === '08:00',
  );
  const forTech2 = await fields();
  assert.deepEqual(forTech2, { day: D, from: '08:00', to: '10:00' }, 'tech2 is free from 08:00');
  assert.notDeepEqual(forTech1, forTech2);
  await shoot('scheduling-suggestion.png');
});

step('booking tech1 over the existing job warns, and is saved once confirmed', async () => {
  await byTest('schedule-technician').selectOption(tech1.id);
  await page.waitForFunction(
    () => document.querySelector('[data-testid="schedule-from"]')?.value === '10:00',
  );
  await byTest('schedule-from').fill('08:00');
  await byTest('schedule-to').fill('10:00');
  const warning = byTest('schedule-overlap');
  await warning.waitFor();
  assert.match(await warning.innerText(), new RegExp(booked.number));
  await byTest('schedule-save').click();
  // Not booked yet: the dialog asks to confirm the double booking.
  await byTest('schedule-confirm-overlap').waitFor();
  assert.equal((await api('GET', `/api/v1/jobs/${toPlan.id}`)).work_order.status, 'new');
  await shoot('scheduling-overlap.png');
  await byTest('schedule-confirm-overlap').click();
  await byTest('schedule-dialog').waitFor({ state: 'hidden' });
  const lane = page.locator(`[data-testid="lane"][data-technician-id="${tech1.id}"]`);
  await lane.locator(`[data-job-number="${toPlan.number}"]`).waitFor();
  const saved = (await api('GET', `/api/v1/jobs/${toPlan.id}`)).work_order;
  assert.equal(saved.assignee_id, tech1.id);
  assert.equal(new Date(saved.appointment_start).getTime(), chinaTime(D, '08:00').getTime());
  assert.equal(new Date(saved.appointment_end).getTime(), chinaTime(D, '10:00').getTime());
});

step('an urgent job booked after its deadline is flagged in the dialog and on its card', async () => {
  urgent = await newJob('urgent', 'Scheduling e2e: no heating, urgent');
  assert.ok(new Date(urgent.due_at) < chinaTime(D, '00:00'), 'due long before day D');
  await openSchedule(D, urgent.number);
  await byTest('schedule-technician').selectOption(tech2.id);
  const flag = byTest('schedule-deadline');
  await flag.waitFor();
  assert.match(await flag.innerText(), /on-site deadline/);
  await shoot('scheduling-deadline-dialog.png');
  await byTest('schedule-save').click();
  await byTest('schedule-dialog').waitFor({ state: 'hidden' });
  const card = page.locator(
    `[data-testid="lane"][data-technician-id="${tech2.id}"] [data-job-number="${urgent.number}"]`,
  );
  await card.getByTestId('card-booked-late').waitFor();
  await shoot('scheduling-board.png');
});

step('the SLA watch lists the late booking and a request past its acknowledgement deadline', async () => {
  unacknowledged = await newJob('normal', 'Scheduling e2e: nobody answered', 2 * 3_600_000);
  await page.goto(`${ho.base}/#/sla`);
  await byTest('sla-screen').waitFor();
  const row = page.locator(`[data-testid="sla-group-booked_late"] [data-job-id="${urgent.id}"]`);
  await row.waitFor();
  assert.match(await row.getByTestId('sla-booked-late').innerText(), /on-site deadline/);
  const later = page.locator(`[data-testid="sla-group-later"] [data-job-id="${urgent.id}"]`);
  assert.equal(await later.count(), 0, 'not under Later');
  const ack = page.locator(`[data-testid="sla-ack"] [data-job-id="${unacknowledged.id}"]`);
  await ack.waitFor();
  assert.equal(await ack.getAttribute('data-state'), 'breached');
  await shoot('scheduling-sla-watch.png');
  assert.deepEqual(pageErrors, []);
});
