// Fixes shared from the field, reviewed in the console: Debian's Chromium (playwright-core)
// against the real head office with demo data. tech1's laptop completes two repairs on a Midea
// washing machine (one with two photos, on which it also marks the demo's Midea E4 article as
// having fixed it) and shares both fixes. The admin sees them waiting, with a count, opens one
// beside the job's facts and chosen photos, is offered the Midea E4 article to add it to, and
// writes a new article from it instead (prefilled from the fix and its job), then publishes it.
// A dispatcher reads the other one without decision buttons; the admin declines it with a
// reason, and the queue says nothing waits. A decision taken twice shows the catalogue's
// sentence. The article list counts uses and sorts by them; the KPI page compares first-time fix
// with and without an article. Screenshots at 1366×768, in English and Chinese, go to
// /tmp/kb-review-shots/ (KB_REVIEW_SHOTS overrides), failures to target/e2e-screenshots/.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import { consoleSession } from './chromium.mjs';
import { Device } from './headoffice.mjs';

const SHOTS = process.env.KB_REVIEW_SHOTS || '/tmp/kb-review-shots';

const FIX = {
  title: 'E4 and no water: inlet valve filter blocked by limescale',
  diagnosis: 'Inlet valve filter full of limescale; the pressure switch reads the level correctly.',
  steps: ['Turn off the water tap and unplug the machine.', 'Take out the inlet valve filter and clean it.', 'Descale the valve and run a rinse programme.'],
  comment: 'Hard water in this area: bring descaler.',
};
const OTHER = {
  title: 'E4 again: I replaced the board',
  diagnosis: 'Board reads high level.',
  steps: ['Replaced the main control board.'],
};
const REASON = 'The Midea E4 article already covers a faulty board; nothing new here.';

let ho;
let page;
const { step, byTest, shoot, api, signIn, signOut, pageErrors } = consoleSession({
  name: 'kb-review',
  jobs: 4,
  shots: SHOTS,
  ready: (s) => ({ ho, page } = s),
});

/** Two JPEG photos (and thumbnails) drawn by the browser's canvas. */
async function pictures() {
  return page.evaluate(async () => {
    const draw = async (w, h, colour, text) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const g = c.getContext('2d');
      g.fillStyle = colour;
      g.fillRect(0, 0, w, h);
      g.fillStyle = '#fff';
      g.font = `${Math.round(h / 8)}px sans-serif`;
      g.fillText(text, w / 12, h / 2);
      const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.85));
      return [...new Uint8Array(await blob.arrayBuffer())];
    };
    return [
      [await draw(640, 480, '#6b4a2e', 'FILTER: limescale'), await draw(320, 240, '#6b4a2e', 'FILTER')],
      [await draw(640, 480, '#2e6b4a', 'AFTER: clean'), await draw(320, 240, '#2e6b4a', 'AFTER')],
    ];
  });
}

let device;
let equipmentId;
let customer;
let site;
let e4Article;

/**
 * A repair on the Midea washing machine, completed by tech1's laptop through the sync API (with
 * `photos` as [jpeg, thumb] pairs); `extra` mutations go with the visit.
 */
async function completedJob({ problem, diagnosis, resolution, photos = [], extra = () => [] }) {
  const types = await api('GET', '/api/v1/job-types');
  const type = types.find((t) => t.code === 'repair');
  const job = await api('POST', '/api/v1/jobs', {
    job_type: type.code,
    priority: 'normal',
    customer_id: customer.id,
    site_id: site.id,
    equipment_id: equipmentId,
    reported_problem: problem,
  });
  const start = new Date(Date.now() - 2 * 60 * 60_000);
  await api('POST', `/api/v1/jobs/${job.id}/schedule`, {
    assignee_id: device.technicianId,
    appointment_start: start.toISOString(),
    appointment_end: new Date(start.getTime() + 60 * 60_000).toISOString(),
    allow_overlap: true,
  });
  const added = [];
  for (const [full, thumb] of photos) {
    added.push({ m: await device.photo(job.id, 'fault', Buffer.from(full), Buffer.from(thumb), null), full, thumb });
  }
  await device.push([
    device.status(job.id, 'scheduled', 'en_route'),
    device.status(job.id, 'en_route', 'on_site'),
    device.status(job.id, 'on_site', 'in_progress'),
    ...type.checklist.map((item) => device.answer(job.id, item)),
    device.field(job.id, 'diagnosis', diagnosis),
    device.field(job.id, 'resolution', resolution),
    device.field(job.id, 'signature_absence_reason', 'Customer was not at home'),
    ...added.map((p) => p.m),
    ...extra(job.id),
  ]);
  for (const p of added) {
    await device.upload(Buffer.from(p.full));
    await device.upload(Buffer.from(p.thumb));
  }
  await device.push([device.status(job.id, 'in_progress', 'completed')]);
  return { id: job.id, number: job.number, photoIds: added.map((p) => p.m.photo.id) };
}

/** tech1's laptop shares the fix of `job`. */
async function share(job, fix, photoIds = []) {
  const id = randomUUID();
  await device.push([
    {
      type: 'fix_shared',
      proposal: {
        id,
        job_id: job.id,
        language: 'en',
        title: fix.title,
        diagnosis: fix.diagnosis,
        resolution: fix.steps.join('\n'),
        comment: fix.comment ?? null,
        photo_ids: photoIds,
        at: new Date().toISOString(),
      },
    },
  ]);
  return id;
}

let first;
let second;
let firstFix;
let secondFix;
let newArticle;

step('tech1 completes two Midea E4 repairs and shares both fixes', async () => {
  await page.goto(`${ho.base}/`);
  await signIn('admin', 'admin-demo');
  [customer] = await api('GET', '/api/v1/customers?limit=1');
  [site] = await api('GET', `/api/v1/customers/${customer.id}/sites`);
  const equipment = await api('POST', '/api/v1/equipment', {
    site_id: site.id,
    category: 'washing_machine',
    brand: 'Midea',
    model: 'MG100V11F',
    serial: `E2E-${Date.now()}`,
  });
  equipmentId = equipment.id;
  [e4Article] = await api('GET', '/api/v1/kb/articles?q=E4&category=washing_machine');
  assert.ok(e4Article && e4Article.brands.includes('Midea'), 'the demo has a Midea E4 article');
  device = await Device.signIn(ho.base, 'tech1', 'tech1-demo');
  const photos = await pictures();
  first = await completedJob({
    problem: 'Washing machine shows E4 and does not fill',
    diagnosis: 'Inlet filter blocked by limescale',
    resolution: 'Cleaned the filter and descaled the valve',
    photos,
    extra: (jobId) => [
      {
        type: 'article_used',
        usage: {
          job_id: jobId,
          article_id: e4Article.id,
          article_version: e4Article.published_version ?? 1,
          outcome: 'fixed',
          at: new Date().toISOString(),
        },
      },
    ],
  });
  second = await completedJob({
    problem: 'E4 again after the last visit',
    diagnosis: 'Board reads a high level',
    resolution: 'Replaced the main control board',
  });
  firstFix = await share(first, FIX, first.photoIds);
  secondFix = await share(second, OTHER);
});

step('the admin sees two shared fixes waiting, counted on the tab, oldest first', async () => {
  await byTest('nav-kb').click();
  await byTest('kb-screen').waitFor();
  await page.locator('[data-testid="kb-pending-count"]', { hasText: '2' }).waitFor();
  await byTest('kb-tab-shared').click();
  await page.locator('[data-testid="shared-queue"] [data-testid="shared-row"]').nth(1).waitFor();
  assert.equal(await byTest('kb-tab-shared').getAttribute('aria-selected'), 'true');
  const rows = page.locator('[data-testid="shared-row"]');
  assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.proposalId)), [firstFix, secondFix]);
  const row = rows.first();
  const text = await row.innerText();
  assert.match(text, new RegExp(FIX.title));
  assert.match(text, /王磊/, 'the technician');
  assert.match(text, new RegExp(first.number));
  assert.match(text, /Washing machine/);
  assert.match(text, /Midea MG100V11F/);
  assert.match(text, /E4/);
  assert.match(await row.getByTestId('shared-age').innerText(), /just now|minute/);
  await shoot('queue');
  // Keyboard: ↓ moves to the next fix.
  await row.getByTestId('shared-open').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), OTHER.title);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.locator(`[data-testid="shared-fix"][data-proposal-id="${firstFix}"][data-status="pending"]`).waitFor();
});

step('the fix shows beside the job’s facts and the two chosen photos', async () => {
  assert.equal(await byTest('shared-title').innerText(), FIX.title);
  assert.match(await byTest('shared-by').innerText(), new RegExp(`王磊.*${first.number}`));
  assert.equal(await byTest('shared-diagnosis').innerText(), FIX.diagnosis);
  assert.deepEqual(await byTest('shared-steps').locator('li').allInnerTexts(), FIX.steps);
  assert.equal(await byTest('shared-comment').innerText(), FIX.comment);
  assert.match(await byTest('shared-equipment').innerText(), /Washing machine · Midea MG100V11F/);
  assert.match(await byTest('shared-codes').innerText(), /E4/);
  assert.equal(await byTest('shared-problem').innerText(), 'Washing machine shows E4 and does not fill');
  assert.equal(await byTest('shared-photo').count(), 2);
  // The thumbnails are the job's photos, loaded.
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="shared-photo"] img')].every((i) => i.complete && i.naturalWidth > 0),
  );
  await shoot('fix');
  await byTest('shared-photo').first().click();
  await page.locator('dialog[open] img').waitFor();
  await page.keyboard.press('Escape');
});

step('adding to an existing article suggests the Midea E4 article', async () => {
  await byTest('shared-add').click();
  const suggested = page.locator(`[data-testid="shared-suggestions"] [data-article-id="${e4Article.id}"]`);
  await suggested.waitFor();
  assert.match(await suggested.getByTestId('shared-pick-why').innerText(), /Explains E4 · Same brand/);
  assert.equal(
    await page.locator('[data-testid="shared-suggestions"] [data-testid="shared-pick-row"]').first().getAttribute('data-article-id'),
    e4Article.id,
    'the article about the same brand and fault code comes first',
  );
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'shared-pick-search', 'the search has the focus');
  await shoot('fix-add');
});

step('the admin writes a new article from the fix, prefilled, and publishes it', async () => {
  await byTest('shared-write').click();
  await byTest('kb-source').waitFor();
  assert.match(await byTest('kb-source').innerText(), new RegExp(`王磊.*${first.number}`));
  assert.match(await byTest('kb-source-photos').innerText(), /2 photos/);
  assert.equal(await byTest('kb-category').inputValue(), 'washing_machine');
  assert.equal(await byTest('kb-brands').inputValue(), 'Midea');
  assert.equal(await byTest('kb-models').inputValue(), 'MG100V11F');
  assert.equal(await byTest('kb-codes').inputValue(), 'E4');
  const panel = byTest('kb-panel-en');
  assert.equal(await panel.getByTestId('kb-title').inputValue(), FIX.title);
  assert.equal(await panel.getByTestId('kb-symptoms').inputValue(), 'Washing machine shows E4 and does not fill');
  assert.equal(await panel.getByTestId('kb-causes').inputValue(), FIX.diagnosis);
  assert.deepEqual(await page.locator('[data-testid="kb-step-text"]').evaluateAll((els) => els.map((e) => e.value)), FIX.steps);
  assert.deepEqual(await byTest('preview-step').allInnerTexts(), FIX.steps);
  // The fix's photos are the article's, shown from the job until it is saved.
  assert.equal(await page.locator('[data-testid="kb-photos"]').getAttribute('data-count'), '2');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="kb-photo"] img, [data-testid="preview-photo"] img')].every(
      (i) => i.complete && i.naturalWidth > 0,
    ),
  );
  await shoot('editor-from-fix');
  // The admin widens the model to the series and saves.
  await byTest('kb-models').fill('MG100*');
  await byTest('kb-save').click();
  await page.locator('[data-testid="kb-detail"][data-status="draft"][data-latest="1"]').waitFor();
  newArticle = new URL(page.url()).hash.split('/')[2];
  const saved = await api('GET', `/api/v1/kb/articles/${newArticle}`);
  assert.deepEqual(saved.article.models, ['MG100*']);
  assert.equal(saved.article.photos.length, 2, 'the chosen photos go with the article');
  assert.deepEqual(saved.article.texts[0].steps, FIX.steps);
  const review = await api('GET', `/api/v1/kb/proposals/${firstFix}`);
  assert.equal(review.review.status, 'accepted');
  assert.equal(review.review.article_id, newArticle);
  await byTest('kb-publish').click();
  await page.locator('[data-testid="kb-detail"][data-status="published"][data-published="1"]').waitFor();
  assert.match(await byTest('kb-detail-uses').innerText(), /Not marked on a job yet/);
  // Now knowledge photos, served as the article's.
  assert.equal(await byTest('preview-photo').count(), 2);
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid="preview-photo"] img')].every((i) => i.complete && i.naturalWidth > 0),
  );
  assert.ok(
    (await page.locator('[data-testid="preview-photo"] img').first().getAttribute('src')).includes(`/kb/photos/${saved.article.photos[0]}`),
  );
});

step('the queue now holds one; the decided fix says what became of it', async () => {
  await page.goto(`${ho.base}/#/kb/shared`);
  await page.locator('[data-testid="kb-pending-count"]', { hasText: '1' }).waitFor();
  assert.equal(await page.locator('[data-testid="shared-row"]').count(), 1);
  await byTest('shared-status').selectOption('accepted');
  const row = page.locator(`[data-testid="shared-row"][data-proposal-id="${firstFix}"]`);
  await row.waitFor();
  await row.getByTestId('shared-open').click();
  await page.locator('[data-testid="shared-fix"][data-status="accepted"]').waitFor();
  assert.match(await byTest('shared-decision').innerText(), /Made into a new article by admin/);
  assert.equal(await byTest('shared-write').count(), 0, 'no decision twice');
  await byTest('shared-article').click();
  await page.locator(`[data-testid="kb-detail"][data-status="published"]`).waitFor();
  assert.ok(page.url().includes(newArticle));
});

step('a dispatcher reads the waiting fix without decision buttons', async () => {
  await signOut();
  await signIn('dispatcher', 'dispatcher-demo');
  await page.goto(`${ho.base}/#/kb/shared/${secondFix}`);
  await page.locator('[data-testid="shared-fix"][data-status="pending"]').waitFor();
  await byTest('shared-admin-note').waitFor();
  for (const id of ['shared-write', 'shared-add', 'shared-decline']) assert.equal(await byTest(id).count(), 0, id);
  assert.match(await byTest('shared-no-photos').innerText(), /No photos chosen/);
  await shoot('fix-dispatcher');
  await signOut();
  await signIn('admin', 'admin-demo');
});

step('the admin declines the other fix with a reason; nothing waits any more', async () => {
  await page.goto(`${ho.base}/#/kb/shared/${secondFix}`);
  await page.locator('[data-testid="shared-fix"][data-status="pending"]').waitFor();
  await byTest('shared-decline').click();
  await byTest('shared-decline-dialog').waitFor();
  // A reason is required.
  await byTest('shared-decline-confirm').click();
  assert.match(await byTest('shared-decline-missing').innerText(), /Say why/);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'shared-decline-reason');
  await byTest('shared-decline-reason').fill(REASON);
  await shoot('decline-dialog');
  await byTest('shared-decline-confirm').click();
  await page.locator('[data-testid="shared-fix"][data-status="declined"]').waitFor();
  assert.match(await byTest('shared-decision').innerText(), /Declined by admin/);
  assert.equal(await byTest('shared-reason').innerText(), REASON);
  await shoot('fix-declined');
  await page.goto(`${ho.base}/#/kb/shared`);
  await byTest('empty-state').waitFor();
  assert.match(await byTest('empty-state').innerText(), /No shared fixes waiting/);
  assert.equal(await byTest('kb-pending-count').count(), 0, 'no badge when nothing waits');
  await shoot('queue-empty');
});

step('taking a decided fix into an article shows the catalogue’s sentence', async () => {
  await page.goto(`${ho.base}/#/kb/shared/${secondFix}/new`);
  await byTest('kb-source-decided').waitFor();
  await byTest('kb-save').click();
  const banner = page.locator('[data-testid="error-banner"][data-code="already_decided"]');
  await banner.waitFor();
  assert.match(await banner.innerText(), /Someone already decided on this shared fix\./);
  await shoot('editor-already-decided');
});

step('a fix added to the Midea E4 article makes its next version with the fix’s steps after its own', async () => {
  // The declined job may share again.
  const third = await share(second, { title: 'E4: board reads a high level', diagnosis: 'Level sensor on the board', steps: ['Check the pressure hose first.', 'Replace the main control board.'] });
  const before = await api('GET', `/api/v1/kb/articles/${e4Article.id}`);
  const enSteps = before.article.texts.find((x) => x.language === 'en').steps;
  await page.goto(`${ho.base}/#/kb/shared/${third}`);
  await page.locator('[data-testid="shared-fix"][data-status="pending"]').waitFor();
  await byTest('shared-add').click();
  await page.locator(`[data-testid="shared-suggestions"] [data-article-id="${e4Article.id}"] [data-testid="shared-pick-article"]`).click();
  await page.locator(`[data-testid="kb-editor"][data-base-version="${before.article.version}"]`).waitFor();
  await byTest('kb-tab-en').click();
  const steps = await page.locator('[data-testid="kb-step-text"]').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(steps, [...enSteps, 'Check the pressure hose first.', 'Replace the main control board.']);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot('editor-merge');
  await byTest('kb-save').click();
  await page.locator(`[data-testid="kb-detail"][data-latest="${before.article.version + 1}"]`).waitFor();
  assert.ok(page.url().includes(e4Article.id));
  const review = await api('GET', `/api/v1/kb/proposals/${third}`);
  assert.equal(review.review.status, 'merged');
  assert.equal(review.review.article_id, e4Article.id);
});

step('the article list counts uses and sorts by them; the article says the same', async () => {
  await page.goto(`${ho.base}/#/kb`);
  await byTest('kb-sort').selectOption('most_used');
  const firstRow = page.locator('[data-testid="kb-row"]').first();
  await page.locator(`[data-testid="kb-row"][data-article-id="${e4Article.id}"]`).first().waitFor();
  await page.waitForFunction(
    (id) => document.querySelector('[data-testid="kb-row"]')?.getAttribute('data-article-id') === id,
    e4Article.id,
  );
  assert.match(await firstRow.getByTestId('kb-uses').innerText(), /used on 1 job\s*1 fixed · 0 did not help/);
  await shoot('list-most-used');
  await firstRow.getByTestId('kb-open').click();
  await page.locator('[data-testid="kb-detail"][data-status="published"]').waitFor();
  const uses = byTest('kb-detail-uses');
  assert.equal(await uses.getAttribute('data-used'), '1');
  assert.equal(await uses.getAttribute('data-fixed'), '1');
  assert.match(await uses.innerText(), /used on 1 job · 1 fixed · 0 did not help/);
});

step('the KPI page compares first-time fix with and without an article', async () => {
  await byTest('nav-kpis').click();
  await byTest('kpi-knowledge').waitFor();
  const line = await byTest('kpi-knowledge-line').innerText();
  assert.match(line, /First-time fix with a knowledge article: 100 % \(1 job\) vs without: .+ \(\d+ jobs?\)/);
  await byTest('kpi-knowledge').scrollIntoViewIfNeeded();
  await shoot('kpis');
  // A period with nothing completed says so.
  await page.goto(`${ho.base}/#/kpis/2020-01-01/2020-01-31`);
  await byTest('kpi-knowledge-empty').waitFor();
  assert.match(await byTest('kpi-knowledge-empty').innerText(), /No jobs completed/);
});

step('in Chinese the queue, a fix, the list and the KPI card read naturally', async () => {
  await page.goto(`${ho.base}/#/kb/shared`);
  await byTest('empty-state').waitFor();
  await byTest('language').selectOption('zh');
  await page.locator('[data-testid="empty-state"]', { hasText: '没有待审核的维修案例' }).waitFor();
  await byTest('shared-status').selectOption('declined');
  await page.locator(`[data-testid="shared-row"][data-proposal-id="${secondFix}"]`).waitFor();
  assert.match(await page.locator('[data-testid="shared-row"]').innerText(), /已拒绝/);
  await shoot('queue-zh');
  await page.goto(`${ho.base}/#/kb/shared/${firstFix}`);
  await page.locator('[data-testid="shared-fix"][data-status="accepted"]').waitFor();
  assert.match(await byTest('shared-decision').innerText(), /将其写成新文章/);
  await shoot('fix-zh');
  await page.goto(`${ho.base}/#/kb/shared/${secondFix}`);
  await page.locator('[data-testid="shared-fix"][data-status="declined"]').waitFor();
  await shoot('fix-declined-zh');
  await page.goto(`${ho.base}/#/kb`);
  await page.locator(`[data-testid="kb-row"][data-article-id="${e4Article.id}"]`).waitFor();
  assert.match(
    await page.locator(`[data-testid="kb-row"][data-article-id="${e4Article.id}"] [data-testid="kb-uses"]`).innerText(),
    /用于 1 个工单/,
  );
  await shoot('list-zh');
  await page.goto(`${ho.base}/#/kpis`);
  await byTest('kpi-knowledge-line').waitFor();
  assert.match(await byTest('kpi-knowledge-line').innerText(), /使用知识库文章的一次修复率：100 %（1 个工单）/);
  await byTest('kpi-knowledge').scrollIntoViewIfNeeded();
  await shoot('kpis-zh');
  await byTest('language').selectOption('en');
});

step('no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
