// The knowledge base in the console, as an admin and a dispatcher click it: Debian's Chromium
// (playwright-core) against the real head office with demo data.
// An admin writes an article in English and Chinese with three steps (reordered with the
// buttons and Alt+arrows), checks the technician's preview (warnings before the numbered steps,
// the preview following the language being written), saves it as version 1 and publishes it. A
// dispatcher finds it published in the list and has no Publish or Withdraw button; their edit
// makes version 2, a draft, while the laptops keep version 1, which stays readable. A refusal
// from head office shows beside its field; a version saved by someone else meanwhile is said
// plainly and reloads. The admin withdraws the article after confirming.
// Photos: the admin picks a camera photo (testdata/photos, see its SOURCES.md) and drops a
// portrait one stored sideways together with a text file; each shows its upload, the text file
// is refused with a clear sentence and nothing else is lost, the photos are put in order with a
// button and Alt+←, and they are saved in that order; the article (and its older version) shows
// them loaded, full size on a click, the portrait one upright.
// Screenshots at 1366×768 go to /tmp/kb-shots/ (KB_SHOTS overrides), failures to
// target/e2e-screenshots/ (the editor with its photos there too, kb-editor-photos.png).
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { FAILED_SHOTS, consoleSession } from './chromium.mjs';
import { ROOT } from './headoffice.mjs';

const SHOTS = process.env.KB_SHOTS || '/tmp/kb-shots';

const EN = {
  title: 'Drum does not spin, E21 on the display',
  warnings: 'Unplug the machine before opening the filter door.',
  symptoms: 'Drum does not spin\nWater stays in the drum',
  causes: 'Drain pump blocked by a coin or a button\nDrain pump failed',
  steps: [
    'Empty the water through the emergency drain hose.',
    'Unscrew the pump filter and clear what blocks it.',
    'Run a spin programme and check the water drains.',
  ],
};
const ZH = {
  title: '洗衣机不脱水，显示E21',
  warnings: '打开过滤器盖之前先拔掉电源插头。',
  steps: ['通过应急排水管放净桶内的水。', '拧下排水泵过滤器，清除堵塞物。', '运行脱水程序，确认排水正常。'],
};

let ho;
let page;
const { step, byTest, shoot, api, signIn, signOut, pageErrors } = consoleSession({
  name: 'kb',
  jobs: 4,
  shots: SHOTS,
  ready: (s) => ({ ho, page } = s),
});

let articleId;

const detail = (attrs) => page.locator(`[data-testid="kb-detail"]${attrs}`);

const stepTexts = () => page.locator('[data-testid="kb-step-text"]').evaluateAll((els) => els.map((e) => e.value));
const previewSteps = () => byTest('preview-step').allInnerTexts();

const CAMERA = join(ROOT, 'testdata', 'photos', 'camera', 'DSCN0010.jpg');
const PORTRAIT = join(ROOT, 'testdata', 'photos', 'orientation', 'Portrait_6.jpg');
/** The article's photos in the editor's order (their SHA-256). */
const editorPhotos = () =>
  page.locator('[data-testid="kb-photos"] li[data-key]').evaluateAll((els) => els.map((e) => e.dataset.key));
/** Whether every image under `selector` has loaded (a broken one has no natural width). */
const allLoaded = (selector) =>
  page.waitForFunction(
    (sel) => {
      const imgs = [...document.querySelectorAll(sel)];
      return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    },
    selector,
  );

/** Drops files (`[name, type, bytes]`) on the element with `testId`, as a desktop would. */
async function dropFiles(testId, files) {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const [name, type, b64] of list) {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], name, { type }));
    }
    return dt;
  }, files.map(([name, type, bytes]) => [name, type, Buffer.from(bytes).toString('base64')]));
  const target = byTest(testId);
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  assert.equal(await target.evaluate((e) => e.classList.contains('dragging')), true, 'the drop zone lights up');
  await target.dispatchEvent('drop', { dataTransfer });
}

let photos;

let partNo;

step('an admin finds the knowledge base in the header; a search with no match says so', async () => {
  await page.goto(`${ho.base}/`);
  await signIn('admin', 'admin-demo');
  await byTest('nav-kb').click();
  await byTest('kb-screen').waitFor();
  assert.equal(await byTest('nav-kb').getAttribute('aria-current'), 'page');
  await byTest('kb-search').fill('no such fault anywhere');
  await byTest('empty-state').waitFor();
  assert.match(await byTest('empty-state').innerText(), /No articles match/);
  await shoot('kb-list-empty');
  await byTest('kb-clear').click();
  assert.equal(await byTest('kb-search').inputValue(), '');
});

step('the admin writes an article in English with three steps and reorders them', async () => {
  const parts = await api('GET', '/api/v1/parts');
  assert.ok(parts.length > 0, 'the demo catalogue has parts');
  partNo = parts[0].part_no;

  await byTest('kb-new').click();
  await byTest('kb-editor').waitFor();
  await byTest('kb-category').selectOption('washing_machine');
  await byTest('kb-brands').fill('Haier, Little Swan');
  await byTest('kb-models').fill('EG100*');
  await byTest('kb-codes').fill('e21');
  await byTest('kb-part-input').fill(partNo);
  await byTest('kb-part-input').press('Enter');
  await page.locator(`[data-testid="kb-part"][data-part="${partNo}"]`).waitFor();
  assert.doesNotMatch(await byTest('kb-part').innerText(), /not in the catalogue/, 'a catalogue part is named');

  const panel = byTest('kb-panel-en');
  await panel.getByTestId('kb-title').fill(EN.title);
  await panel.getByTestId('kb-warnings').fill(EN.warnings);
  await panel.getByTestId('kb-symptoms').fill(EN.symptoms);
  await panel.getByTestId('kb-causes').fill(EN.causes);
  // Written out of order: the third step first, then put right with the buttons and keys.
  await byTest('kb-step-text').nth(0).fill(EN.steps[2]);
  await byTest('kb-step-add').click();
  await byTest('kb-step-text').nth(1).fill(EN.steps[0]);
  // Ctrl+Enter adds the next step and moves there.
  await byTest('kb-step-text').nth(1).press('Control+Enter');
  await page.keyboard.type(EN.steps[1]);
  assert.deepEqual(await stepTexts(), [EN.steps[2], EN.steps[0], EN.steps[1]]);
  // The first step goes down with its button, twice...
  await byTest('kb-step-down').nth(0).click();
  assert.deepEqual(await stepTexts(), [EN.steps[0], EN.steps[2], EN.steps[1]]);
  // ...the focus follows it, and Alt+↓ moves it the rest of the way.
  await byTest('kb-step-text').nth(1).focus();
  await page.keyboard.press('Alt+ArrowDown');
  assert.deepEqual(await stepTexts(), EN.steps);
  assert.equal(await page.evaluate(() => document.activeElement?.value), EN.steps[2], 'the moved step keeps the focus');
  // A fourth step added by mistake is removed again.
  await byTest('kb-step-add').click();
  assert.equal(await byTest('kb-step').count(), 4);
  await byTest('kb-step-remove').nth(3).click();
  assert.equal(await byTest('kb-step').count(), 3);

  // The preview is the technician's: warnings first, then the numbered steps.
  const preview = byTest('article-preview');
  assert.equal(await preview.getAttribute('data-language'), 'en');
  assert.equal(await byTest('preview-title').innerText(), EN.title);
  assert.deepEqual(await previewSteps(), EN.steps);
  assert.match(await byTest('preview-codes').innerText(), /E21/, 'fault codes as stored: upper case');
  const warningsFirst = await page.evaluate(() => {
    const w = document.querySelector('[data-testid="preview-warnings"]');
    const s = document.querySelector('[data-testid="preview-steps"]');
    return Boolean(w && s && w.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.ok(warningsFirst, 'warnings come before the steps');
  assert.equal(await page.locator('[data-testid="preview-steps"]').evaluate((e) => e.tagName), 'OL');
});

step('the admin adds the Chinese text; the preview follows it; the editor is shot', async () => {
  await byTest('kb-add-language-zh').click();
  const panel = byTest('kb-panel-zh');
  await panel.waitFor();
  assert.equal(await byTest('kb-add-language-zh').count(), 0, 'one text per language');
  await panel.getByTestId('kb-title').fill(ZH.title);
  await panel.getByTestId('kb-warnings').fill(ZH.warnings);
  await byTest('kb-step-text').nth(0).fill(ZH.steps[0]);
  for (const [i, text] of ZH.steps.slice(1).entries()) {
    await byTest('kb-step-add').click();
    await byTest('kb-step-text').nth(i + 1).fill(text);
  }
  const preview = byTest('article-preview');
  assert.equal(await preview.getAttribute('data-language'), 'zh');
  assert.equal(await byTest('preview-title').innerText(), ZH.title);
  assert.deepEqual(await previewSteps(), ZH.steps);
  // The preview's switch shows the English text, and the form follows.
  await byTest('preview-language-en').click();
  await byTest('kb-panel-en').waitFor();
  assert.equal(await byTest('preview-title').innerText(), EN.title);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot('kb-editor');
  await byTest('kb-tab-zh').click();
  await shoot('kb-editor-zh');
});

step('the admin adds photos by picking and dropping; a text file is refused; the photos are put in order', async () => {
  await byTest('kb-photos').scrollIntoViewIfNeeded();
  await byTest('kb-photos-none').waitFor();
  // Head office answers a moment later than usual, so the upload is seen under way.
  let release;
  let passed;
  const held = new Promise((r) => (release = r));
  const through = new Promise((r) => (passed = r));
  await page.route('**/api/v1/kb/photos', async (route) => {
    await held;
    await route.continue();
    passed();
  });
  await byTest('kb-photo-input').setInputFiles(CAMERA);
  const upload = page.locator('[data-testid="kb-upload"]');
  await upload.first().waitFor();
  assert.match(await upload.first().innerText(), /DSCN0010\.jpg\s*(Uploading… \d+ %|Head office is processing it…)/);
  assert.equal(await byTest('kb-save').isDisabled(), true, 'saving waits for the upload');
  assert.match(await byTest('kb-save-wait').innerText(), /waits until the pictures/);
  release();
  await through;
  await page.unroute('**/api/v1/kb/photos');
  await page.locator('[data-testid="kb-photos"][data-count="1"]').waitFor();
  await upload.first().waitFor({ state: 'detached' });
  assert.equal(await byTest('kb-save').isDisabled(), false);

  // Two files dropped together: a portrait photo stored sideways, and a text file.
  await dropFiles('kb-photos', [
    ['Portrait_6.jpg', 'image/jpeg', readFileSync(PORTRAIT)],
    ['notes.txt', 'text/plain', Buffer.from('Not a picture: just notes about the E21 fault.\n')],
  ]);
  const refused = page.locator('[data-testid="kb-upload"][data-state="failed"]');
  await refused.waitFor();
  assert.match(await refused.innerText(), /notes\.txt/);
  assert.match(await refused.getByTestId('kb-upload-error').innerText(), /Not added: This file is not a picture, or it is damaged\./);
  assert.equal(await refused.getByTestId('kb-upload-retry').count(), 0, 'the same file would be refused again');
  await page.locator('[data-testid="kb-photos"][data-count="2"]').waitFor();
  await allLoaded('[data-testid="kb-photo"] img');
  await allLoaded('[data-testid="preview-photo"] img');
  assert.equal(await byTest('preview-photo').count(), 2, 'the preview shows them too');
  const [camera, portrait] = await editorPhotos();
  assert.match(camera, /^[0-9a-f]{64}$/);
  await byTest('kb-photos').scrollIntoViewIfNeeded();
  await shoot('kb-editor-photos');
  copyFileSync(join(SHOTS, 'kb-editor-photos.png'), join(FAILED_SHOTS, 'kb-editor-photos.png'));
  // The refusal is dismissed; the photos stay.
  await refused.getByTestId('kb-upload-dismiss').click();
  assert.equal(await byTest('kb-upload').count(), 0);

  // The portrait goes first with its button; the focus stays on its buttons.
  await byTest('kb-photo-earlier').nth(1).click();
  assert.deepEqual(await editorPhotos(), [portrait, camera]);
  // Alt+→ on its thumbnail moves it back, and Alt+← once more.
  await byTest('kb-photo').nth(0).focus();
  await page.keyboard.press('Alt+ArrowRight');
  assert.deepEqual(await editorPhotos(), [camera, portrait]);
  assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.dataset.key), portrait, 'the focus moves with it');
  await page.keyboard.press('Alt+ArrowLeft');
  assert.deepEqual(await editorPhotos(), [portrait, camera]);
  // Removed, then put back with Undo.
  await byTest('kb-photo-remove').nth(1).click();
  assert.deepEqual(await editorPhotos(), [portrait]);
  await page.locator('.toasts button', { hasText: 'Undo' }).click();
  assert.deepEqual(await editorPhotos(), [portrait, camera]);
  // A thumbnail opens the full picture, upright.
  await byTest('kb-photo').nth(0).click();
  const full = page.locator('dialog[open] [data-testid="picture-full"]');
  await full.waitFor();
  await page.waitForFunction(() => document.querySelector('dialog[open] [data-testid="picture-full"]')?.naturalWidth > 0);
  const size = await full.evaluate((i) => [i.naturalWidth, i.naturalHeight]);
  assert.ok(size[1] > size[0], `the portrait photo is upright: ${size}`);
  await page.keyboard.press('Escape');
  photos = [portrait, camera];
  // In Chinese.
  await byTest('language').selectOption('zh');
  await page.locator('#kb-photos-title', { hasText: '照片和图示' }).waitFor();
  assert.match(await byTest('kb-photo-add').innerText(), /添加照片/);
  await byTest('kb-photos').scrollIntoViewIfNeeded();
  await shoot('kb-editor-photos-zh');
  await byTest('language').selectOption('en');
});

step('saving makes version 1, a draft; the admin publishes it', async () => {
  await byTest('kb-save').click();
  await detail('[data-status="draft"][data-latest="1"]').waitFor();
  articleId = new URL(page.url()).hash.split('/')[2];
  assert.ok(articleId, page.url());
  const saved = await api('GET', `/api/v1/kb/articles/${articleId}`);
  assert.equal(saved.article.texts.length, 2);
  assert.deepEqual(saved.article.texts.find((t) => t.language === 'en').steps, EN.steps);
  assert.deepEqual(saved.article.texts.find((t) => t.language === 'zh').steps, ZH.steps);
  assert.deepEqual(saved.article.fault_codes, ['E21']);
  assert.deepEqual(saved.article.parts, [partNo]);
  assert.deepEqual(saved.article.photos, photos, 'the photos in the order put');
  assert.equal(await byTest('kb-detail-title').innerText(), EN.title);
  assert.equal(await byTest('kb-publish').innerText(), 'Publish version 1');
  assert.equal(await byTest('kb-withdraw').count(), 0, 'nothing to withdraw yet');
  await shoot('kb-detail-draft');
  await byTest('kb-publish').click();
  await detail('[data-status="published"][data-published="1"]').waitFor();
  assert.equal(await byTest('kb-publish').count(), 0, 'the laptops hold the latest version');
  assert.equal(await byTest('kb-detail-versions').innerText(), 'v1 · published');
  // The article shows its photos, loaded, in order; one opens full size.
  assert.deepEqual(
    await page.locator('[data-testid="preview-photos"] li[data-key]').evaluateAll((els) => els.map((e) => e.dataset.key)),
    photos,
  );
  await allLoaded('[data-testid="preview-photo"] img');
  await byTest('preview-photo').nth(1).click();
  await page.waitForFunction(() => document.querySelector('dialog[open] [data-testid="picture-full"]')?.naturalWidth > 0);
  assert.match(await page.locator('dialog[open] h2').innerText(), /Picture 2 of 2/);
  await page.keyboard.press('Escape');
  await byTest('preview-photos').scrollIntoViewIfNeeded();
  await shoot('kb-detail-published');
});

step('a dispatcher finds it published in the list and has no Publish or Withdraw button', async () => {
  await signOut();
  await signIn('dispatcher', 'dispatcher-demo');
  await byTest('nav-kb').click();
  await byTest('kb-search').fill('e21');
  const row = page.locator(`[data-testid="kb-row"][data-article-id="${articleId}"]`);
  await row.waitFor();
  await byTest('kb-filter-status').selectOption('published');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'published');
  assert.equal(await row.getByTestId('kb-versions').innerText(), 'v1 · published');
  assert.match(await row.innerText(), /Washing machine/);
  assert.match(await row.innerText(), /Haier, Little Swan/);
  assert.match(await row.innerText(), new RegExp(ZH.title), 'the other language’s title beneath');
  await byTest('kb-filter-status').selectOption('draft');
  await byTest('empty-state').waitFor();
  await byTest('kb-filter-status').selectOption('');
  await row.waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot('kb-list');
  // Keyboard: ↓ from the search box to the article, Enter opens it.
  await byTest('kb-search').focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'kb-open');
  await page.keyboard.press('Enter');
  await detail('[data-status="published"]').waitFor();
  assert.equal(await byTest('kb-publish').count(), 0);
  assert.equal(await byTest('kb-withdraw').count(), 0);
  assert.match(await byTest('kb-standing').innerText(), /Version 1 is on every technician’s laptop/);
});

step('the dispatcher’s edit makes version 2, a draft, while version 1 stays published', async () => {
  await byTest('kb-edit').click();
  await page.locator('[data-testid="kb-editor"][data-base-version="1"]').waitFor();
  const panel = byTest('kb-panel-en');
  await panel.getByTestId('kb-title').fill('');
  // Head office's refusal shows beside the field it names.
  await byTest('kb-save').click();
  const fieldError = page.locator('[data-testid="kb-field-error"][data-field="title"]');
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /needs a title/);
  assert.equal(await panel.getByTestId('kb-title').getAttribute('aria-invalid'), 'true');
  await panel.getByTestId('kb-title').fill(EN.title);
  await byTest('kb-step-text').nth(1).fill('Unscrew the pump filter, clear it and check the impeller turns.');
  await byTest('kb-save').click();
  await detail('[data-status="published"][data-latest="2"][data-published="1"]').waitFor();
  assert.equal(await byTest('kb-detail-versions').innerText(), 'v2 · published v1');
  assert.match(await byTest('kb-standing').innerText(), /Laptops have version 1; version 2 is a draft/);
  assert.equal(await byTest('kb-publish').count(), 0, 'dispatchers do not publish');
  await byTest('kb-admin-note').waitFor();
  assert.deepEqual(
    await page.locator('[data-testid="kb-version"]').evaluateAll((els) => els.map((e) => `${e.dataset.version}:${e.dataset.role}`)),
    ['2:draft', '1:published'],
  );
  // Version 1 stays readable, read only.
  await page.locator('[data-testid="kb-version"][data-version="1"] [data-testid="kb-version-open"]').click();
  await detail('[data-shown="1"]').waitFor();
  await byTest('kb-older').waitFor();
  assert.equal((await previewSteps())[1], EN.steps[1]);
  assert.equal(await byTest('preview-photo').count(), 2, 'the older version shows its photos');
  await allLoaded('[data-testid="preview-photo"] img');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot('kb-detail-older');
  await byTest('kb-older').getByRole('link').click();
  await detail('[data-shown="2"]').waitFor();
  await shoot('kb-detail');
});

step('a version saved by someone else meanwhile is said plainly and reloads', async () => {
  await byTest('kb-edit').click();
  await page.locator('[data-testid="kb-editor"][data-base-version="2"]').waitFor();
  const current = await api('GET', `/api/v1/kb/articles/${articleId}`);
  const { id, version, status, author, reviewer, updated_at, published_at, ...content } = current.article;
  content.brands = [...content.brands, 'Casarte'];
  await api('PUT', `/api/v1/kb/articles/${articleId}`, { base_version: 2, content });
  await byTest('kb-brands').fill('Haier');
  await byTest('kb-save').click();
  await byTest('kb-stale').waitFor();
  assert.match(await byTest('kb-stale').innerText(), /Version 3 was saved by /);
  await shoot('kb-editor-stale');
  await byTest('kb-reload').click();
  await page.locator('[data-testid="kb-editor"][data-base-version="3"]').waitFor();
  assert.equal(await byTest('kb-stale').count(), 0);
  assert.match(await byTest('kb-brands').inputValue(), /Casarte/);
  // Leaving with changes unsaved asks first.
  await byTest('kb-brands').fill('Haier');
  await byTest('kb-back').click();
  await byTest('kb-leave-dialog').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await byTest('kb-brands').inputValue(), 'Haier', 'still editing');
  await byTest('kb-cancel').click();
  await byTest('kb-leave-confirm').click();
  await detail('[data-latest="3"]').waitFor();
});

step('the admin withdraws the article after confirming', async () => {
  await signOut();
  await signIn('admin', 'admin-demo');
  await page.goto(`${ho.base}/#/kb/${articleId}`);
  await detail('[data-status="published"][data-latest="3"][data-published="1"]').waitFor();
  assert.equal(await byTest('kb-publish').innerText(), 'Publish version 3');
  await byTest('kb-withdraw').click();
  await byTest('kb-withdraw-dialog').waitFor();
  await page.keyboard.press('Escape');
  await byTest('kb-withdraw-dialog').waitFor({ state: 'hidden' });
  assert.equal(await detail('').getAttribute('data-status'), 'published', 'cancelling changes nothing');
  await byTest('kb-withdraw').click();
  await byTest('kb-withdraw-confirm').click();
  await detail('[data-status="withdrawn"]').waitFor();
  assert.equal(await byTest('kb-withdraw').count(), 0);
  assert.match(await byTest('kb-standing').innerText(), /Withdrawn/);
  const a = await api('GET', `/api/v1/kb/articles/${articleId}`);
  assert.equal(a.status, 'withdrawn');
  assert.equal(a.published_version, null);
  await byTest('nav-kb').click();
  const row = page.locator(`[data-testid="kb-row"][data-article-id="${articleId}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'withdrawn');
});

step('in Chinese the list and the article read naturally', async () => {
  await byTest('language').selectOption('zh');
  const row = page.locator(`[data-testid="kb-row"][data-article-id="${articleId}"]`);
  await row.getByText(ZH.title).waitFor();
  assert.match(await row.innerText(), /已撤回/);
  await shoot('kb-list-zh');
  await row.getByTestId('kb-open').click();
  await detail('[data-status="withdrawn"]').waitFor();
  assert.equal(await byTest('kb-detail-title').innerText(), ZH.title);
  await shoot('kb-detail-zh');
  await byTest('language').selectOption('en');
});

step('no script errors', async () => {
  assert.deepEqual(pageErrors, []);
});
