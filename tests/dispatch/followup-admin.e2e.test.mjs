// The follow-up call, the satisfaction KPI, closing with a complaint, signing out, and editing
// users, as a dispatcher and an admin click them: Debian's Chromium (playwright-core) against
// the real head office with demo data (issue 12, points 8 and 9).
// A technician's device (the sync API over HTTP) completes a job the customer rates 5 on site.
// The dispatcher's follow-up form starts empty and asks before recording; a 2/5 call with a
// complaint lowers the satisfaction KPI; closing the job while the complaint is open asks to
// confirm. After signing out from a deep page the next user lands on the home page. An admin
// makes the dispatcher an admin and resets their password; they sign in with the new one.
// Screenshots go to target/e2e-screenshots/ (followup-*.png).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Device, ROOT, startHeadOffice } from './headoffice.mjs';

const require = createRequire(join(ROOT, 'ui', 'package.json'));
const { chromium } = require('playwright-core');

const SHOTS = join(ROOT, 'target', 'e2e-screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

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
      await page?.screenshot({ path: join(SHOTS, `failed-followup-${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
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
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-GB' });
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
  await page.evaluate(() => window.scrollTo(0, 0));
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

async function signIn(user, password) {
  await byTest('sign-in-user').fill(user);
  await byTest('sign-in-password').fill(password);
  await byTest('sign-in-submit').click();
}

const day = (d) => d.toISOString().slice(0, 10);
const period = () => {
  const to = new Date(Date.now() + 86_400_000);
  return { from: day(new Date(Date.now() - 29 * 86_400_000)), to: day(to) };
};

/** The satisfaction card of the KPI page, as shown: numerator, denominator, share. */
async function satisfactionShown() {
  const { from, to } = period();
  await page.goto(`${ho.base}/#/kpis/${from}/${to}`);
  await byTest('kpi-satisfaction').waitFor();
  return {
    num: Number(await byTest('kpi-num-satisfaction').innerText()),
    den: Number(await byTest('kpi-den-satisfaction').innerText()),
    share: Number(await byTest('kpi-satisfaction').getAttribute('data-share')),
  };
}

let jobId;
let jobNumber;
let before5;

step('the dispatcher signs in; a technician completes a job the customer rates 5 on site', async () => {
  await page.goto(`${ho.base}/`);
  await signIn('dispatcher', 'dispatcher-demo');
  await byTest('board-screen').waitFor();
  const customers = await api('GET', '/api/v1/customers?limit=1');
  const sites = await api('GET', `/api/v1/customers/${customers[0].id}/sites`);
  const types = await api('GET', '/api/v1/job-types');
  const type = types.find((t) => t.required_photo_kinds.length === 0);
  assert.ok(type, 'a job type without required photos');
  const job = await api('POST', '/api/v1/jobs', {
    job_type: type.code,
    priority: 'normal',
    customer_id: customers[0].id,
    site_id: sites[0].id,
    reported_problem: 'Follow-up e2e: the tap still drips',
  });
  jobId = job.id;
  jobNumber = job.number;
  const start = new Date(Date.now() + 30 * 60_000);
  await api('POST', `/api/v1/jobs/${jobId}/schedule`, {
    assignee_id: 'tech-tech1',
    appointment_start: start.toISOString(),
    appointment_end: new Date(start.getTime() + 60 * 60_000).toISOString(),
    allow_overlap: true,
  });
  const device = await Device.signIn(ho.base, 'tech1', 'tech1-demo');
  await device.push([
    device.status(jobId, 'scheduled', 'en_route'),
    device.status(jobId, 'en_route', 'on_site'),
    device.status(jobId, 'on_site', 'in_progress'),
    ...type.checklist.map((item) => device.answer(jobId, item)),
    device.field(jobId, 'resolution', 'Replaced the cartridge'),
    device.field(jobId, 'signature_absence_reason', 'Customer left early'),
    device.feedback(jobId, 5, 'Great'),
  ]);
  await device.push([device.status(jobId, 'in_progress', 'completed')]);
  before5 = await satisfactionShown();
  assert.ok(before5.den > 0 && before5.num > 0, JSON.stringify(before5));
  const jobs = await api(
    'GET',
    `/api/v1/kpis/jobs?from=${encodeURIComponent(new Date(Date.now() - 29 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}&measure=satisfaction&part=numerator&limit=1000`,
  );
  assert.ok(jobs.some((j) => j.id === jobId), 'rated 5 on site: satisfied');
  // The KPI says how it counts, and its filters are the styled controls.
  assert.match(await byTest('kpi-help-satisfaction').innerText(), /latest/);
  for (const id of ['kpi-from', 'kpi-to']) assert.match(await byTest(id).getAttribute('class'), /\binput\b/);
  assert.match(await byTest('kpi-technician').getAttribute('class'), /\bselect\b/);
  assert.match(await byTest('kpi-apply').getAttribute('class'), /\bbtn\b/);
  await shoot('followup-kpis-before.png');
});

step('the follow-up form starts empty and asks before recording anything', async () => {
  await page.goto(`${ho.base}/#/job/${encodeURIComponent(jobId)}`);
  await page.locator('[data-testid="review-screen"][data-status="completed"]').waitFor();
  await byTest('review-follow-up').scrollIntoViewIfNeeded();
  assert.equal(await byTest('fu-reached').isChecked(), false, 'not pre-set to reached');
  assert.equal(await byTest('fu-not-reached').isChecked(), false);
  assert.equal(await byTest('fu-satisfaction').count(), 0, 'no satisfaction before the call is said to have reached');
  await byTest('fu-save').click();
  assert.match(await byTest('fu-missing').innerText(), /reached/);
  await byTest('fu-reached').check();
  assert.equal(await byTest('fu-satisfaction').inputValue(), '', 'no satisfaction chosen yet (not 5)');
  await byTest('fu-save').click();
  assert.match(await byTest('fu-missing').innerText(), /satisfaction/);
  assert.equal((await api('GET', `/api/v1/jobs/${jobId}`)).follow_ups.length, 0, 'nothing recorded');
  // Styled controls, as the rest of the console.
  assert.match(await byTest('fu-satisfaction').getAttribute('class'), /\bselect\b/);
  assert.match(await byTest('fu-comment').getAttribute('class'), /\btextarea\b/);
  assert.match(await byTest('fu-save').getAttribute('class'), /\bbtn\b/);
  const height = await byTest('fu-satisfaction').evaluate((e) => e.getBoundingClientRect().height);
  assert.ok(height >= 40, `select height ${height}`);
  await byTest('review-follow-up').screenshot({ path: join(SHOTS, 'followup-form-empty.png') });
});

step('a 2/5 call with a complaint is recorded and the satisfaction KPI drops', async () => {
  await byTest('fu-satisfaction').selectOption('2');
  await byTest('fu-comment').fill('Still drips after the visit');
  await byTest('fu-complaint').check();
  await byTest('fu-category').selectOption('product_quality');
  await byTest('fu-save').click();
  await page.locator('[data-testid="follow-up"][data-grade="general"]').waitFor();
  assert.equal(await byTest('fu-missing').count(), 0);
  // The form is empty again for the next call.
  assert.equal(await byTest('fu-reached').isChecked(), false);
  const job = await api('GET', `/api/v1/jobs/${jobId}`);
  assert.equal(job.follow_ups[0].satisfaction, 2);
  await byTest('review-follow-up').screenshot({ path: join(SHOTS, 'followup-recorded.png') });
  const now = await satisfactionShown();
  assert.equal(now.den, before5.den, 'the job still counts');
  assert.equal(now.num, before5.num - 1, 'but no longer as satisfied');
  assert.ok(now.share < before5.share, `${now.share} < ${before5.share}`);
  await shoot('followup-kpis-after.png');
  // The drill-down's CSV export is a styled button.
  await byTest('kpi-den-satisfaction').click();
  await byTest('kpi-jobs-screen').waitFor();
  assert.match(await byTest('csv-export').getAttribute('class'), /\bbtn\b/);
  await byTest('kpi-help-satisfaction').waitFor();
  await shoot('followup-kpi-jobs.png');
});

step('closing the job with the complaint open asks to confirm first', async () => {
  await page.goto(`${ho.base}/#/job/${encodeURIComponent(jobId)}`);
  await page.locator('[data-testid="review-screen"][data-status="completed"]').waitFor();
  await byTest('action-close').click();
  await byTest('close-complaint-dialog').waitFor();
  assert.match(await byTest('close-complaint-dialog').innerText(), new RegExp(`${jobNumber}[\\s\\S]*1 complaint`));
  await page.screenshot({ path: join(SHOTS, 'followup-close-confirm.png') });
  // Cancelled: nothing happens.
  await page.keyboard.press('Escape');
  await byTest('close-complaint-dialog').waitFor({ state: 'hidden' });
  assert.equal((await api('GET', `/api/v1/jobs/${jobId}`)).work_order.status, 'completed');
  // Head office refuses it without the confirmation, too.
  const session = await page.request.get(`${ho.base}/api/v1/auth/session`);
  const refused = await page.request.post(`${ho.base}/api/v1/jobs/${jobId}/close`, {
    headers: { 'x-csrf-token': (await session.json()).csrf_token },
    data: { reason: null },
  });
  assert.equal(refused.status(), 409);
  assert.equal((await refused.json()).code, 'open_complaint');
  await byTest('action-close').click();
  await byTest('close-complaint-confirm').click();
  await page.locator('[data-testid="review-screen"][data-status="closed"]').waitFor();
});

step('a laptop clock set to 2001 is flagged on the review; head office counts its own time', async () => {
  const customers = await api('GET', '/api/v1/customers?limit=1');
  const sites = await api('GET', `/api/v1/customers/${customers[0].id}/sites`);
  const job = await api('POST', '/api/v1/jobs', {
    job_type: 'repair',
    priority: 'normal',
    customer_id: customers[0].id,
    site_id: sites[0].id,
    reported_problem: 'Clock e2e: no hot water',
  });
  const start = new Date(Date.now() + 3 * 3_600_000);
  await api('POST', `/api/v1/jobs/${job.id}/schedule`, {
    assignee_id: 'tech-tech1',
    appointment_start: start.toISOString(),
    appointment_end: new Date(start.getTime() + 3_600_000).toISOString(),
    allow_overlap: true,
  });
  const device = await Device.signIn(ho.base, 'tech1', 'tech1-demo');
  const in2001 = (m) => ({ ...m, at: '2001-01-01T08:00:00.000Z' });
  await device.push([
    in2001(device.status(job.id, 'scheduled', 'en_route')),
    in2001(device.status(job.id, 'en_route', 'on_site')),
  ]);
  await page.goto(`${ho.base}/#/job/${encodeURIComponent(job.id)}`);
  await byTest('review-clock-attention').waitFor();
  assert.equal(await page.locator('[data-testid="history-entry"][data-clock-warning="true"]').count(), 2);
  assert.match(await byTest('history-clock-warning').first().innerText(), /2001/);
  await shoot('followup-clock-warning.png');
  // Back to the closed job for the next steps.
  await page.goto(`${ho.base}/#/job/${encodeURIComponent(jobId)}`);
  await page.locator('[data-testid="review-screen"][data-status="closed"]').waitFor();
});

step('the header search placeholder is not cut off', async () => {
  const fits = await byTest('header-search').evaluate((input) => {
    const style = getComputedStyle(input);
    const g = document.createElement('canvas').getContext('2d');
    g.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = g.measureText(input.placeholder).width;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { text, room, placeholder: input.placeholder };
  });
  assert.ok(fits.text <= fits.room, JSON.stringify(fits));
  await page.locator('header:has([data-testid="header-search"])').screenshot({ path: join(SHOTS, 'followup-header.png') });
});

step('after signing out from a job page, the next user lands on the home page', async () => {
  assert.match(page.url(), /#\/job\//);
  await byTest('sign-out').click();
  await byTest('sign-in-submit').waitFor();
  await signIn('admin', 'admin-demo');
  await byTest('board-screen').waitFor();
  assert.equal(await byTest('review-screen').count(), 0);
  assert.doesNotMatch(page.url(), /#\/job\//);
});

step('an admin makes the dispatcher an admin and resets their password; it works', async () => {
  await byTest('nav-admin').click();
  const row = page.locator('[data-testid="user-row"][data-user="dispatcher"]');
  await row.waitFor();
  await row.getByTestId('user-edit').click();
  await byTest('user-edit-dialog').waitFor();
  await byTest('user-edit-role').selectOption('admin');
  await page.screenshot({ path: join(SHOTS, 'followup-user-edit.png') });
  await byTest('user-edit-save').click();
  await byTest('user-edit-dialog').waitFor({ state: 'hidden' });
  await page.locator('[data-testid="user-row"][data-user="dispatcher"] [data-testid="user-role"]', { hasText: 'Admin' }).waitFor();
  await row.getByTestId('user-edit').click();
  await byTest('user-new-password').fill('short');
  await byTest('user-set-password').click();
  await byTest('user-password-form').getByRole('alert').waitFor();
  await byTest('user-new-password').fill('a-new-dispatcher-password');
  await byTest('user-set-password').click();
  await byTest('user-edit-dialog').waitFor({ state: 'hidden' });
  await shoot('followup-admin-users.png');
  await byTest('sign-out').click();
  await signIn('dispatcher', 'dispatcher-demo');
  await byTest('sign-in-wrong').waitFor();
  await byTest('sign-in-password').fill('a-new-dispatcher-password');
  await byTest('sign-in-submit').click();
  await byTest('board-screen').waitFor();
  assert.match(await byTest('header-user').innerText(), /dispatcher · admin/);
  await byTest('nav-admin').waitFor();
});

step('no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
