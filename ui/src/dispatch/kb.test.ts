import { describe, expect, it } from 'vitest';

import type { ArticleContent } from '../lib/api/headoffice';
import { createDispatchApi } from '../lib/api/headoffice';
import { HttpClient } from '../lib/api/http';
import { translate } from '../lib/i18n/translate';
import {
  type ArticleDraft,
  articleRefusal,
  canPublishLatest,
  contentFromDraft,
  draftChanged,
  draftFromContent,
  emptyDraft,
  emptyText,
  inLanguage,
  missingLanguages,
  moveItem,
  newStep,
  otherLanguages,
  previewContent,
  refusedField,
  splitList,
  splitLines,
  stepsForKey,
  versionRole,
  versionsPhrase,
} from './kb';

const WASHER: ArticleContent = {
  category: 'washing_machine',
  brands: ['Haier'],
  models: ['EG100*', 'XQG100-B12026'],
  fault_codes: ['E21'],
  parts: ['P-1001'],
  photos: ['ab'.repeat(32)],
  texts: [
    {
      language: 'en',
      title: 'Drum does not spin, E21 shown',
      symptoms: ['Drum does not spin', 'Water stays in the drum'],
      causes: ['Blocked drain pump'],
      steps: ['Isolate the power.', 'Clean the pump filter.', 'Run a spin cycle.'],
      warnings: ['Unplug the machine first.'],
    },
    {
      language: 'zh',
      title: '洗衣机不脱水，显示E21',
      symptoms: ['洗衣机不脱水'],
      causes: [],
      steps: ['断开电源。'],
      warnings: [],
    },
  ],
};

function filled(): ArticleDraft {
  const d = emptyDraft('en');
  d.category = 'washing_machine';
  d.brands = ' Haier, Midea ，Haier、 ';
  d.models = 'EG100*\nXQG100-B12026';
  d.faultCodes = 'e21, E4;';
  d.parts = ['P-1001', 'P-1001', 'P-2002'];
  const en = d.texts[0]!;
  en.title = '  Drum does not spin  ';
  en.symptoms = 'Drum does not spin\n\n  Water stays in the drum  \n';
  en.causes = 'Blocked drain pump';
  en.warnings = 'Unplug the machine first.';
  en.steps = [newStep(' Isolate the power. '), newStep('   '), newStep('Clean the pump filter.')];
  return d;
}

describe('the editor sends the whole article', () => {
  it('splits what was typed into lists, trims it and leaves out blank lines and steps', () => {
    const c = contentFromDraft(filled());
    expect(c).toEqual({
      category: 'washing_machine',
      brands: ['Haier', 'Midea'],
      models: ['EG100*', 'XQG100-B12026'],
      fault_codes: ['E21', 'E4'],
      parts: ['P-1001', 'P-2002'],
      photos: [],
      texts: [
        {
          language: 'en',
          title: 'Drum does not spin',
          symptoms: ['Drum does not spin', 'Water stays in the drum'],
          causes: ['Blocked drain pump'],
          steps: ['Isolate the power.', 'Clean the pump filter.'],
          warnings: ['Unplug the machine first.'],
        },
      ],
    });
  });

  it('needs a category; anything else is for head office to judge', () => {
    const d = filled();
    d.category = '';
    expect(contentFromDraft(d)).toBeNull();
    const untitled = emptyDraft('zh');
    untitled.category = 'oven';
    // Nothing written: sent as it is, and head office says what is missing.
    expect(contentFromDraft(untitled)?.texts).toEqual([]);
  });

  it('leaves out a language added and left blank, but keeps it in the preview', () => {
    const d = filled();
    d.texts.push(emptyText('zh'));
    expect(contentFromDraft(d)?.texts.map((t) => t.language)).toEqual(['en']);
    expect(previewContent(d).texts.map((t) => t.language)).toEqual(['en', 'zh']);
    expect(missingLanguages(d)).toEqual([]);
    expect(missingLanguages(emptyDraft('zh'))).toEqual(['en']);
  });

  it('round-trips a saved version, photos included', () => {
    const d = draftFromContent(WASHER);
    expect(d.brands).toBe('Haier');
    expect(d.models).toBe('EG100*, XQG100-B12026');
    expect(d.texts[0]?.steps.map((s) => s.text)).toEqual(WASHER.texts[0]?.steps);
    expect(contentFromDraft(d)).toEqual(WASHER);
  });

  it('tells a changed draft from the saved one, whatever the step ids', () => {
    const saved = draftFromContent(WASHER);
    const same = draftFromContent(WASHER);
    expect(draftChanged(same, saved)).toBe(false);
    same.texts[0]!.steps[1]!.text = 'Replace the pump.';
    expect(draftChanged(same, saved)).toBe(true);
    const recategorised = draftFromContent(WASHER);
    recategorised.category = '';
    expect(draftChanged(recategorised, saved)).toBe(true);
  });

  it('reads lists separated by commas, Chinese commas, semicolons or lines', () => {
    expect(splitList('A, B，C、D;E；F\nG, A,, ')).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
    expect(splitList('  ')).toEqual([]);
    expect(splitLines(' one \n\n two\n')).toEqual(['one', 'two']);
  });
});

describe('steps are reordered with buttons and keys', () => {
  const steps = () => [newStep('a'), newStep('b'), newStep('c')];
  const texts = (s: { text: string }[]) => s.map((x) => x.text);

  it('moves an entry, clamped to the list', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 9)).toEqual(['a', 'b', 'c']);
    expect(moveItem([], 0, 1)).toEqual([]);
  });

  it('Alt+↑ and Alt+↓ move the step and keep it focused; nothing past the ends', () => {
    const s = steps();
    const up = stepsForKey(s, 1, { key: 'ArrowUp', altKey: true, ctrlKey: false });
    expect(up && texts(up.steps)).toEqual(['b', 'a', 'c']);
    expect(up?.focus).toBe(0);
    const down = stepsForKey(s, 1, { key: 'ArrowDown', altKey: true, ctrlKey: false });
    expect(down && texts(down.steps)).toEqual(['a', 'c', 'b']);
    expect(down?.focus).toBe(2);
    expect(stepsForKey(s, 0, { key: 'ArrowUp', altKey: true, ctrlKey: false })).toBeNull();
    expect(stepsForKey(s, 2, { key: 'ArrowDown', altKey: true, ctrlKey: false })).toBeNull();
    expect(stepsForKey(s, 1, { key: 'ArrowUp', altKey: false, ctrlKey: false })).toBeNull();
    // The ids go with the steps, so each keeps its field (and its focus) as it moves.
    expect(up?.steps[0]?.id).toBe(s[1]?.id);
  });

  it('Ctrl+Enter adds an empty step after the current one', () => {
    const s = steps();
    const added = stepsForKey(s, 0, { key: 'Enter', altKey: false, ctrlKey: true });
    expect(added && texts(added.steps)).toEqual(['a', '', 'b', 'c']);
    expect(added?.focus).toBe(1);
    expect(stepsForKey(s, 0, { key: 'Enter', altKey: false, ctrlKey: false })).toBeNull();
  });
});

describe('what readers see', () => {
  const titles = [
    { language: 'en' as const, title: 'Drum does not spin' },
    { language: 'zh' as const, title: '洗衣机不脱水' },
  ];

  it('shows the reader’s language, else the other, and the others beneath', () => {
    expect(inLanguage(titles, 'zh')?.title).toBe('洗衣机不脱水');
    expect(inLanguage(titles, 'en')?.title).toBe('Drum does not spin');
    expect(inLanguage(titles.slice(0, 1), 'zh')?.title).toBe('Drum does not spin');
    expect(inLanguage(titles.slice(1), 'en')?.title).toBe('洗衣机不脱水');
    expect(inLanguage([], 'en')).toBeNull();
    const shown = inLanguage(titles, 'zh');
    expect(otherLanguages(titles, shown).map((t) => t.title)).toEqual(['Drum does not spin']);
  });

  it('summarises versions: the latest, and which one the laptops hold', () => {
    const say = (latest: number, published: number | null, locale: 'en' | 'zh' = 'en') => {
      const p = versionsPhrase(latest, published);
      return translate(locale, p.key, p.params);
    };
    expect(say(1, null)).toBe('v1');
    expect(say(2, 2)).toBe('v2 · published');
    expect(say(3, 2)).toBe('v3 · published v2');
    expect(say(3, 2, 'zh')).toBe('第 3 版 · 已发布第 2 版');
  });

  it('offers to publish the latest version unless the laptops already hold it', () => {
    expect(canPublishLatest(1, null)).toBe(true);
    expect(canPublishLatest(2, 1)).toBe(true);
    expect(canPublishLatest(2, 2)).toBe(false);
  });

  it('names each version’s place in the history', () => {
    expect(versionRole(2, 2, 2)).toBe('published');
    expect(versionRole(3, 3, 2)).toBe('draft');
    expect(versionRole(2, 3, 2)).toBe('published');
    expect(versionRole(1, 3, 2)).toBe('earlier');
    expect(versionRole(1, 1, null)).toBe('draft');
  });
});

describe('refusals are shown beside the field they name', () => {
  it('finds the field at the start of head office’s sentence', () => {
    expect(refusedField({ code: 'invalid', message: 'title: an article needs a title' })).toBe(
      'title',
    );
    expect(
      refusedField({
        code: 'too_long',
        message: 'fault_codes is too long: 101 characters, the limit is 100',
      }),
    ).toBe('fault_codes');
    expect(refusedField({ code: 'invalid', message: 'something else went wrong' })).toBeNull();
    expect(refusedField({ code: 'stale_version', message: 'steps: whatever' })).toBeNull();
  });

  it('says the common refusals in the user’s words', () => {
    expect(
      articleRefusal({
        code: 'too_long',
        message: 'title is too long: 230 characters, the limit is 200',
      }),
    ).toEqual({
      field: 'title',
      phrase: { key: 'dispatch.kb.refused.tooLong', params: { actual: 230, limit: 200 } },
    });
    expect(
      articleRefusal({ code: 'invalid', message: 'steps: an article needs at least one step' })
        ?.phrase?.key,
    ).toBe('dispatch.kb.refused.steps');
    expect(
      articleRefusal({ code: 'invalid', message: 'texts: an article needs its text in a language' })
        ?.phrase?.key,
    ).toBe('dispatch.kb.refused.texts');
    expect(
      articleRefusal({ code: 'invalid', message: 'brands: 101 entries; at most 100 are allowed' }),
    ).toEqual({
      field: 'brands',
      phrase: { key: 'dispatch.kb.refused.tooMany', params: { count: 101, max: 100 } },
    });
    // A sentence this page has no words for is shown as head office wrote it.
    expect(
      articleRefusal({ code: 'invalid', message: 'texts: two texts in the same language (en)' }),
    ).toEqual({ field: 'texts', phrase: null });
  });
});

describe('the knowledge base through the API door', () => {
  it('asks with the filters given and sends whole edits', async () => {
    const seen: { url: string; method: string; body: string | null }[] = [];
    const fetcher: typeof fetch = (input, init) => {
      seen.push({
        url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        method: init?.method ?? 'GET',
        body: typeof init?.body === 'string' ? init.body : null,
      });
      return Promise.resolve(new Response('[]', { status: 200 }));
    };
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    await api.kbArticles({ q: ' E21 ', category: 'washing_machine', status: null, limit: 200 });
    await api.kbArticles({ q: '  ' });
    await api.kbArticleVersion('a/1', 2);
    await api.editKbArticle('a/1', { base_version: 3, content: WASHER });
    await api.publishKbArticle('a/1', 4);
    await api.withdrawKbArticle('a/1');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/kb/articles?q=E21&category=washing_machine&limit=200',
      'GET /api/v1/kb/articles',
      'GET /api/v1/kb/articles/a%2F1/versions/2',
      'PUT /api/v1/kb/articles/a%2F1',
      'POST /api/v1/kb/articles/a%2F1/publish',
      'POST /api/v1/kb/articles/a%2F1/withdraw',
    ]);
    expect(JSON.parse(seen[3]?.body ?? '{}')).toEqual({ base_version: 3, content: WASHER });
    expect(JSON.parse(seen[4]?.body ?? '{}')).toEqual({ version: 4 });
  });
});
