// End-to-end: the knowledge base the laptop holds offline, in the real desktop app (tauri-driver →
// WebKitWebDriver, under Xvfb: tests/desktop/run.sh), on a data folder seeded by the CLI with the
// demo jobs and the demo knowledge base (`fieldwork seed` writes the published articles), checked
// against the CLI's own answers on the same folder (`fieldwork kb search|show|suggest`).
//
//  1. A job whose reported problem names a fault code ("shows E21", else "显示E4故障码") gets the
//     article explaining it suggested on the job screen, with why ("Fault code E21"), behind a
//     one-line summary.
//     (The demo's jobs are the device seed's; 500 of them include washers showing E21 of a brand
//     an E21 article is written for. Fault codes mean different things on different brands, so
//     a job on another brand rightly gets no article for its code.)
//  2. The article opens in one click: warnings before the numbered steps, the steps as written;
//     back returns to the job with the panel as it was.
//  3. The Knowledge screen finds articles from a fault-code fragment and from a Chinese substring
//     (the same articles as `fieldwork kb search`), says when nothing matches, and works from the
//     keyboard (↓ into the results, Enter opens, Esc comes back).
//  4. In Chinese, the screen, the article and the job's panel are in Chinese.
//  5. On a job of this laptop's technician that is on site, an article opened from the job's
//     panel is marked "this fixed it"; the panel shows the mark and the outbox holds it.
//  6. From a completed job of theirs, the technician shares the fix (title, photo) for review:
//     the job shows it waiting, the outbox holds it, and a second share is not offered.
//
// Screenshots: target/e2e-screenshots/knowledge-*.png (English and Chinese).
// Needs target/debug/fieldwork-desktop (UI embedded) and target/debug/fieldwork (make build).
// Overrides: FIELDWORK_DESKTOP_BIN, FIELDWORK_CLI_BIN, TAURI_DRIVER_BIN, WEBKIT_WEBDRIVER_BIN.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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
/** Fault codes of the demo's reported problems, tried in order for a job with its article. */
const CODES = ['E21', 'E4'];
/** Typed on the Knowledge screen: part of a fault code (E21), not all of it. */
const CODE_FRAGMENT = 'E2';
const FRAGMENT_OF = 'E21';
const NO_MATCH = 'QZX-987';
const KEY = { down: '\uE015', up: '\uE013', enter: '\uE007', escape: '\uE00C' };

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

describe('the knowledge base on the laptop: suggested on a job, searched, read, in two languages', () => {
  const t0 = Date.now();
  let tmp;
  let dataDir;
  let driver;
  let driverLog = '';
  let base;
  let session;
  let failed = false;
  // From the CLI on the seeded folder:
  let code; // the fault code the job's problem names (one of CODES)
  let job; // a job whose problem names `code`, with the article explaining it suggested
  let article; // that article, whole (`fieldwork kb show`)
  let total; // how many articles the laptop holds
  let zhSubstring; // a few Chinese characters from the middle of its Chinese title
  let onSite; // a job of this laptop's technician, moved on site, with an article suggested
  let completed; // a completed job of theirs

  const textIn = (a, lang) => a.texts.find((t) => t.language === lang) ?? a.texts[0];

  async function newSession() {
    session = await Session.create(base, {
      alwaysMatch: { 'tauri:options': { application: APP, args: ['--data-dir', dataDir] } },
    });
    await session.waitFor('[data-testid="nav-today"]', { timeout: 20_000 });
  }

  async function shot(name) {
    fs.mkdirSync(SHOTS, { recursive: true });
    await session.executeAsync('const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));');
    const png = await session.screenshot();
    assert.equal(png.subarray(1, 4).toString(), 'PNG', `${name}: screenshot is not a PNG`);
    fs.writeFileSync(path.join(SHOTS, `knowledge-${name}.png`), png);
  }

  const press = (key) => session.actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: key }, { type: 'keyUp', value: key }] }]);
  const activeTestId = () => session.execute('return document.activeElement?.dataset.testid ?? null;');

  /** Types `text` into the Knowledge search box (replacing what is there) and waits for its answer. */
  async function searchFor(text) {
    const input = await session.waitFor('[data-testid="kb-search"]');
    await input.clear();
    if (text) await input.sendKeys(text);
    await session.until(`the list answers "${text}"`, async () => {
      const screen = await session.find('[data-testid="knowledge-screen"]');
      return (await screen.attribute('data-shown-text')) === text && (await screen.attribute('data-pending')) === 'false';
    });
  }

  async function shownIds() {
    const rows = await session.findAll('[data-testid="kb-result"]');
    return Promise.all(rows.map((r) => r.attribute('data-article-id')));
  }

  async function openJob() {
    await session.hash(`#/job/${job.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`);
    return session.waitFor('[data-testid="kb-panel"]', { timeout: 15_000 });
  }

  async function setPanel(open) {
    const toggle = await session.waitFor('[data-testid="kb-panel-toggle"]');
    if ((await toggle.attribute('aria-expanded')) !== String(open)) await toggle.click();
    await session.until(`panel ${open ? 'open' : 'closed'}`, async () => (await toggle.attribute('aria-expanded')) === String(open));
    if (open) await session.waitFor(`[data-testid="kb-suggestion"][data-article-id="${article.id}"]`);
  }

  before(async () => {
    requireFile(APP, 'fieldwork-desktop', 'Build it: (cd ui && npm run build) && cargo build -p fieldwork-desktop --features custom-protocol');
    requireFile(CLI, 'fieldwork CLI', 'Build it: cargo build -p fieldwork-cli');
    requireFile(DRIVER, 'tauri-driver', 'Install it: cargo install tauri-driver --locked');
    requireFile(NATIVE, 'WebKitWebDriver', 'Install it: apt-get install webkit2gtk-driver');
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) throw new Error('No display: run under Xvfb, e.g. tests/desktop/run.sh');

    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fieldwork-kb-e2e-'));

    // A job reported as showing a code, and the article the core suggests first for that code —
    // one written in Chinese too (the demo jobs' brands vary with the day the seed is run, and
    // some brands' articles are in English only), for the Chinese steps below.
    const chineseRun = (a) => {
      const zhTitle = a.texts.find((t) => t.language === 'zh')?.title ?? '';
      const run = [...zhTitle].slice(1).join('').match(/[\u3400-\u9fff]{3}/);
      return run ? run[0] : null;
    };
    // The demo data of a few seeds in turn, until one has such a job (which seed does depends on
    // the day the seed is run).
    search: for (let seed = 1; seed <= 8; seed++) {
      dataDir = path.join(tmp, `data-${seed}`);
      cli(dataDir, 'seed', '--jobs', '500', '--seed', String(seed));
      total = cli(dataDir, 'kb', 'search', '--limit', '500').length;
      assert.ok(total > 0, 'the seeded data folder holds knowledge articles (fieldwork seed writes the demo ones)');
      for (const c of CODES) {
        const candidates = cli(dataDir, 'search', c, '--limit', '500').filter((j) => j.reported_problem.includes(c));
        for (const j of candidates) {
          const suggested = cli(dataDir, 'kb', 'suggest', j.id);
          const first = suggested[0];
          if (first?.relevance.reasons.some((r) => r.kind === 'fault_code' && r.code === c)) {
            const shown = cli(dataDir, 'kb', 'show', first.id);
            if (!chineseRun(shown)) continue;
            code = c;
            job = { id: j.id, number: j.number, suggested };
            article = shown;
            break search;
          }
        }
      }
    }
    assert.ok(job, `some demo job naming ${CODES.join(' or ')} has a bilingual article explaining it suggested first`);
    zhSubstring = chineseRun(article);

    // This laptop's technician's jobs: today's list is theirs. One with a suggested article,
    // moved on site; one completed.
    const tech = cli(dataDir, 'jobs')[0]?.assignee_name;
    assert.ok(tech, 'the demo laptop has jobs today');
    const theirs = cli(dataDir, 'jobs', '--all').filter((j) => j.assignee_name === tech);
    for (const j of theirs.filter((x) => x.status === 'scheduled')) {
      const suggested = cli(dataDir, 'kb', 'suggest', j.id);
      if (suggested.length) {
        onSite = { id: j.id, article: suggested[0].id };
        break;
      }
    }
    assert.ok(onSite, `a scheduled job of ${tech} has an article suggested`);
    for (const s of ['en_route', 'on_site']) cli(dataDir, 'job', 'status', onSite.id, s);
    completed = theirs.find((x) => x.status === 'completed');
    assert.ok(completed, `${tech} has a completed job`);

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
      if (tmp && !process.env.E2E_KEEP_DATA) fs.rmSync(tmp, { recursive: true, force: true });
      else if (tmp) console.error(`data kept in ${tmp}`);
      console.error(`e2e run time: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });

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

  step('a job naming a fault code has the article explaining it suggested, with why', async () => {
    await newSession();
    const panel = await openJob();
    const toggle = await session.find('[data-testid="kb-panel-toggle"]');
    assert.equal(await toggle.attribute('aria-expanded'), 'false', 'the panel starts as one line');
    assert.equal(Number(await panel.attribute('data-articles')), job.suggested.length);
    const summary = (await (await session.find('[data-testid="kb-panel-summary"]')).text()).trim();
    const n = job.suggested.length;
    assert.match(summary, new RegExp(`^${n} articles?\\b`), `summary line: ${summary}`);
    assert.equal((await session.findAll('[data-testid="kb-suggestion"]')).length, 0, 'nothing listed until opened');
    await session.execute('window.scrollTo(0, 0)');
    await shot('job-collapsed-en');

    await setPanel(true);
    const rows = await session.findAll('[data-testid="kb-suggestion"]');
    const ids = await Promise.all(rows.map((r) => r.attribute('data-article-id')));
    assert.deepEqual(ids, job.suggested.map((s) => s.id), 'the same articles as `fieldwork kb suggest`, best first');
    const first = rows[0];
    assert.match(await first.text(), new RegExp(textIn(article, 'en').title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const reasons = await Promise.all((await first.findAll('[data-testid="kb-reason"]')).map((r) => r.text()));
    assert.equal(reasons[0].trim(), `Fault code ${code}`, `the strongest reason first: ${reasons}`);
    // Both halves answered (the shell allows both commands): the device seed holds no past fixes
    // (they come from head office, made from the team's completed jobs), so the panel says so.
    assert.equal((await session.findAll('[data-testid="kb-panel-error"]')).length, 0, 'no part of the panel failed');
    const fixes = Number(await panel.attribute('data-fixes'));
    if (fixes === 0) await session.waitFor('[data-testid="kb-no-fixes"]');
    else assert.equal((await session.findAll('[data-testid="kb-fix"]')).length, fixes);
    await session.execute('window.scrollTo(0, 0)');
    await shot('job-expanded-en');
  });

  step('the article opens in one click: warnings first, then the steps; back returns to the job', async () => {
    await (await session.find(`[data-testid="kb-suggestion"][data-article-id="${article.id}"]`)).click();
    const page = await session.waitFor(`[data-testid="kb-article"][data-article-id="${article.id}"]`);
    assert.equal(await page.attribute('data-language'), 'en');
    const en = textIn(article, 'en');
    assert.equal((await (await session.find('[data-testid="kb-article-title"]')).text()).trim(), en.title);
    const steps = await Promise.all((await session.findAll('[data-testid="kb-step"]')).map((s) => s.text()));
    assert.deepEqual(steps.map((s) => s.trim()), en.steps, 'every step, in order');
    const codes = await (await session.find('[data-testid="kb-article-codes"]')).text();
    assert.match(codes, new RegExp(code));
    if (en.warnings.length) {
      const warningsFirst = await session.execute(
        "const w = document.querySelector('[data-testid=\"kb-warnings\"]'); const s = document.querySelector('[data-testid=\"kb-steps\"]'); return !!w && !!(w.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);",
      );
      assert.ok(warningsFirst, 'the safety warnings come before the steps');
    }
    if (article.texts.length > 1) await session.waitFor('[data-testid="kb-language-zh"]');
    await shot('article-en');

    await (await session.find('[data-testid="kb-back"]')).click();
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${job.id}"]`);
    const toggle = await session.waitFor('[data-testid="kb-panel-toggle"]');
    assert.equal(await toggle.attribute('aria-expanded'), 'true', 'the panel is as it was left');
    await session.waitFor(`[data-testid="kb-suggestion"][data-article-id="${article.id}"]`);
  });

  step(`the Knowledge screen finds articles from a fault-code fragment (${CODE_FRAGMENT}), by keyboard too`, async () => {
    await (await session.find('[data-testid="nav-knowledge"]')).click();
    await session.waitFor('[data-testid="knowledge-screen"]');
    await searchFor('');
    assert.equal((await shownIds()).length, total, 'every article is listed before typing');
    await shot('list-en');

    await searchFor(CODE_FRAGMENT);
    const expected = cli(dataDir, 'kb', 'search', CODE_FRAGMENT, '--limit', '500').map((a) => a.id);
    assert.deepEqual(await shownIds(), expected, 'the same articles as `fieldwork kb search`');
    const whole = cli(dataDir, 'kb', 'search', FRAGMENT_OF).map((a) => a.id);
    assert.ok(whole.length > 0, `the demo has articles on ${FRAGMENT_OF}`);
    for (const id of whole) assert.ok(expected.includes(id), `${CODE_FRAGMENT} finds the ${FRAGMENT_OF} article ${id}`);
    if (code === FRAGMENT_OF) assert.ok(expected.includes(article.id));

    // ↓ from the search box into the results, ↑ back, ↓ again and Enter opens the first.
    assert.equal(await activeTestId(), 'kb-search');
    await press(KEY.down);
    await session.until('the first result has the focus', async () => (await activeTestId()) === 'kb-result');
    await press(KEY.up);
    await session.until('back in the search box', async () => (await activeTestId()) === 'kb-search');
    await press(KEY.down);
    await session.until('the first result has the focus', async () => (await activeTestId()) === 'kb-result');
    await press(KEY.enter);
    await session.waitFor(`[data-testid="kb-article"][data-article-id="${expected[0]}"]`);
    await press(KEY.escape);
    await session.waitFor('[data-testid="knowledge-screen"]');
    const input = await session.waitFor('[data-testid="kb-search"]');
    assert.equal(await input.property('value'), CODE_FRAGMENT, 'the search is kept when coming back');
  });

  step('a Chinese substring finds articles anywhere in their text; nonsense says nothing matches', async () => {
    assert.ok(zhSubstring, `the ${code} article has a Chinese title: ${JSON.stringify(article.texts.map((t) => t.title))}`);
    await searchFor(zhSubstring);
    const expected = cli(dataDir, 'kb', 'search', zhSubstring, '--limit', '500').map((a) => a.id);
    assert.deepEqual(await shownIds(), expected, `"${zhSubstring}": the same articles as \`fieldwork kb search\``);
    assert.ok(expected.includes(article.id), `"${zhSubstring}" (from the middle of its title) finds the ${code} article`);

    await searchFor(NO_MATCH);
    await session.waitFor('[data-testid="kb-no-match"]');
    assert.equal((await shownIds()).length, 0);
    await (await session.find('[data-testid="kb-clear"]')).click();
    await searchFor('');
  });

  step('in Chinese: the Knowledge screen, the article and the job’s panel', async () => {
    await (await session.find('[data-testid="nav-settings"]')).click();
    await session.waitFor('[data-testid="settings-screen"]');
    await (await (await session.find('[data-testid="language"]')).find('option[value="zh"]')).click();
    const nav = await session.find('[data-testid="nav-knowledge"]');
    await session.until('Chinese nav label', async () => (await nav.text()).trim() === '知识库');

    await nav.click();
    await session.waitFor('[data-testid="knowledge-screen"]');
    assert.equal((await (await session.find('[data-testid="knowledge-screen"] h1')).text()).trim(), '知识库');
    const input = await session.find('[data-testid="kb-search"]');
    assert.match(await input.attribute('placeholder'), /故障码/);
    assert.match(await (await session.find('[data-testid="kb-count"]')).text(), new RegExp(`${total} 篇文章`));
    const zh = article.texts.find((t) => t.language === 'zh');
    const row = await session.waitFor(`[data-testid="kb-result"][data-article-id="${article.id}"]`);
    assert.match(await row.text(), new RegExp(zh.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'titles in Chinese');
    await shot('list-zh');

    await searchFor(zhSubstring);
    await shot('search-zh');
    await (await session.waitFor(`[data-testid="kb-result"][data-article-id="${article.id}"]`)).click();
    const page = await session.waitFor(`[data-testid="kb-article"][data-article-id="${article.id}"]`);
    assert.equal(await page.attribute('data-language'), 'zh', 'the article opens in the UI language');
    assert.equal((await (await session.find('[data-testid="kb-article-title"]')).text()).trim(), zh.title);
    const steps = await Promise.all((await session.findAll('[data-testid="kb-step"]')).map((s) => s.text()));
    assert.deepEqual(steps.map((s) => s.trim()), zh.steps);
    assert.match(await page.text(), /维修步骤/);
    await shot('article-zh');
    // The switch shows the English text, headings and all.
    await (await session.find('[data-testid="kb-language-en"]')).click();
    await session.until('English text', async () => (await page.attribute('data-language')) === 'en');
    assert.match(await page.text(), /How to fix it/);

    await openJob();
    assert.match(await (await session.find('[data-testid="kb-panel-summary"]')).text(), /篇文章/);
    await setPanel(true);
    const first = await session.find(`[data-testid="kb-suggestion"][data-article-id="${article.id}"]`);
    assert.match(await first.text(), new RegExp(`故障码 ${code}`));
    await session.execute('window.scrollTo(0, 0)');
    await shot('job-expanded-zh');
    await setPanel(false);
    await session.execute('window.scrollTo(0, 0)');
    await shot('job-collapsed-zh');
  });

  /** The kinds of the changes waiting in the outbox for `jobId`. */
  function outboxKinds(jobId) {
    return cli(dataDir, 'outbox').entries.filter((e) => (e.mutation.job_id ?? e.mutation.usage?.job_id ?? e.mutation.proposal?.job_id) === jobId).map((e) => e.mutation.type);
  }

  step('an article opened from an on-site job is marked “this fixed it” (Chinese UI)', async () => {
    await session.hash(`#/job/${onSite.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${onSite.id}"][data-status="on_site"]`);
    const toggle = await session.waitFor('[data-testid="kb-panel-toggle"]', { timeout: 15_000 });
    if ((await toggle.attribute('aria-expanded')) !== 'true') await toggle.click();
    await (await session.waitFor(`[data-testid="kb-suggestion"][data-article-id="${onSite.article}"]`)).click();
    const use = await session.waitFor('[data-testid="kb-use"]');
    assert.equal(await use.attribute('data-outcome'), '', 'not marked yet');
    assert.match(await use.text(), /有帮助吗/);
    await (await session.find('[data-testid="kb-use-fixed"]')).click();
    await session.until('marked as fixed', async () => (await use.attribute('data-outcome')) === 'fixed');
    await session.waitFor('[data-testid="kb-use-marked"]');
    await shot('use-zh');
    assert.ok(outboxKinds(onSite.id).includes('article_used'), 'the mark waits in the outbox for head office');

    await (await session.find('[data-testid="kb-back"]')).click();
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${onSite.id}"]`);
    const row = await session.waitFor(`[data-testid="kb-suggestion"][data-article-id="${onSite.article}"]`);
    const mark = await session.until('the panel shows the mark', async () => (await row.findAll('[data-testid="kb-suggestion-mark"]'))[0]);
    assert.match(await mark.text(), /解决了问题/);
  });

  step('a completed job’s fix is shared for review once (Chinese UI)', async () => {
    await session.hash(`#/job/${completed.id}`);
    await session.waitFor(`[data-testid="job-screen"][data-job-id="${completed.id}"][data-status="completed"]`);
    const open = await session.waitFor('[data-testid="kb-share-open"]');
    await open.scrollIntoView();
    await open.click();
    const form = await session.waitFor('[data-testid="kb-share-form"]');
    const resolution = await session.find('[data-testid="kb-share-resolution"]');
    assert.ok((await resolution.property('value')).trim().length > 0, 'the job’s resolution is offered as a start');
    await (await session.find('[data-testid="kb-share-title"]')).sendKeys('排水泵堵塞：清理过滤器');
    const photos = await session.findAll('[data-testid="kb-share-photo"]');
    if (photos.length) await photos[0].click();
    await form.scrollIntoView();
    await shot('share-form-zh');
    await (await session.find('[data-testid="kb-share-send"]')).click();
    const shared = await session.waitFor('[data-testid="kb-shared"][data-status="pending"]');
    assert.match(await shared.text(), /排水泵堵塞/);
    assert.match(await shared.text(), /等待审核/);
    assert.equal((await session.findAll('[data-testid="kb-share-open"]')).length, 0, 'no second share while one waits');
    await shared.scrollIntoView();
    await shot('shared-zh');
    assert.ok(outboxKinds(completed.id).includes('fix_shared'), 'the shared fix waits in the outbox for head office');
  });
});
