import { describe, expect, it } from 'vitest';

import type { ArticleContent, ArticleListItem, ProposalDetail } from '../lib/api/headoffice';
import { createDispatchApi } from '../lib/api/headoffice';
import { HttpClient } from '../lib/api/http';
import { translate } from '../lib/i18n/translate';
import {
  type ArticleDraft,
  agePhrase,
  articleRefusal,
  canPublishLatest,
  contentFromDraft,
  draftChanged,
  draftFromContent,
  draftFromProposal,
  draftMergingProposal,
  emptyDraft,
  emptyText,
  inLanguage,
  missingLanguages,
  moveItem,
  newStep,
  otherLanguages,
  previewContent,
  rankSuggestions,
  refusedField,
  splitList,
  splitLines,
  stepsForKey,
  suggestionQueries,
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

  it('says which photo head office does not know, beside the photos', () => {
    const sha = 'c'.repeat(64);
    const error = {
      code: 'invalid',
      message: `photos: ${sha} is not a picture uploaded for the knowledge base`,
    };
    expect(refusedField(error)).toBe('photos');
    expect(articleRefusal(error)).toEqual({
      field: 'photos',
      phrase: { key: 'dispatch.kb.refused.unknownPhoto', params: {} },
    });
    expect(
      articleRefusal({ code: 'invalid', message: 'photos: 41 entries; at most 40 are allowed' }),
    ).toEqual({
      field: 'photos',
      phrase: { key: 'dispatch.kb.refused.tooMany', params: { count: 41, max: 40 } },
    });
  });

  it('sends the photos in the order the editor shows them', () => {
    const d = {
      ...emptyDraft('en'),
      category: 'washing_machine' as const,
      photos: ['b'.repeat(64), 'a'.repeat(64)],
    };
    d.texts = [{ ...emptyText('en'), title: 'Filter', steps: [newStep('Clean it')] }];
    expect(contentFromDraft(d)?.photos).toEqual(['b'.repeat(64), 'a'.repeat(64)]);
    const saved = structuredClone(d);
    d.photos = moveItem(d.photos, 1, 0);
    expect(draftChanged(d, saved)).toBe(true);
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

const SHA_A = 'A1'.repeat(32);
const SHA_B = 'b2'.repeat(32);

/** A fix tech1 shared from a completed job on a Midea washing machine. */
function sharedFix(over: Partial<ProposalDetail['review']['proposal']> = {}): ProposalDetail {
  const photo = (id: string, sha256: string) => ({
    id,
    job_id: 'job-1',
    kind: 'fault' as const,
    caption: null,
    sha256,
    thumb_sha256: 'cc'.repeat(32),
    width: 640,
    height: 480,
    bytes: 1000,
    taken_at: null,
    created_at: '2026-12-01T09:00:00Z',
  });
  return {
    review: {
      proposal: {
        id: 'fix-1',
        job_id: 'job-1',
        language: 'en',
        title: '  E4: inlet valve blocked by limescale ',
        diagnosis: 'Inlet valve filter full of limescale\n\nWater pressure fine',
        resolution: 'Turn off the tap\n  Clean the inlet filter  \n\nDescale the valve\n',
        comment: 'Bring descaler: the area has hard water',
        photo_ids: ['ph-1', 'ph-2'],
        at: '2026-12-01T10:00:00Z',
        ...over,
      },
      status: 'pending',
      article_id: null,
      reason: null,
      reviewer: null,
      reviewed_at: null,
    },
    job_number: 'J-0042',
    technician_name: 'Wang Wei',
    equipment: { category: 'washing_machine', brand: 'Midea', model: 'MG100V11F' },
    fault_codes: ['E4', 'e4-1'],
    reported_problem: 'Shows E4 and does not fill',
    photos: [photo('ph-1', SHA_A), photo('ph-2', SHA_B)],
  };
}

describe('a shared fix becomes an article', () => {
  it('prefills a new article from the fix and its job', () => {
    const draft = draftFromProposal(sharedFix());
    expect(contentFromDraft(draft)).toEqual({
      category: 'washing_machine',
      brands: ['Midea'],
      models: ['MG100V11F'],
      fault_codes: ['E4', 'E4-1'],
      parts: [],
      photos: [SHA_A.toLowerCase(), SHA_B],
      texts: [
        {
          language: 'en',
          title: 'E4: inlet valve blocked by limescale',
          symptoms: ['Shows E4 and does not fill'],
          causes: ['Inlet valve filter full of limescale', 'Water pressure fine'],
          steps: ['Turn off the tap', 'Clean the inlet filter', 'Descale the valve'],
          warnings: [],
        },
      ],
    } satisfies ArticleContent);
  });

  it('leaves the product to choose when the job has no equipment, in the fix’s language', () => {
    const fix = { ...sharedFix({ language: 'zh', resolution: '  ' }), equipment: null };
    const draft = draftFromProposal(fix);
    expect(draft.category).toBe('');
    expect(draft.brands).toBe('');
    expect(draft.texts.map((x) => x.language)).toEqual(['zh']);
    expect(draft.texts[0]?.steps.map((x) => x.text)).toEqual(['']);
    expect(contentFromDraft(draft)).toBeNull();
  });

  it('appends the fix’s new steps and photos to an existing article in its language', () => {
    const base: ArticleContent = {
      ...WASHER,
      photos: [SHA_B],
      texts: [
        {
          language: 'en',
          title: 'Midea E4',
          symptoms: [],
          causes: [],
          steps: ['Turn off the tap', 'Check the hose'],
          warnings: ['Unplug first'],
        },
        {
          language: 'zh',
          title: '美的E4',
          symptoms: [],
          causes: [],
          steps: ['关水'],
          warnings: [],
        },
      ],
    };
    const content = contentFromDraft(draftMergingProposal(base, sharedFix()));
    expect(content?.texts.find((x) => x.language === 'en')?.steps).toEqual([
      'Turn off the tap',
      'Check the hose',
      'Clean the inlet filter',
      'Descale the valve',
    ]);
    expect(content?.texts.find((x) => x.language === 'zh')?.steps).toEqual(['关水']);
    expect(content?.photos).toEqual([SHA_B, SHA_A.toLowerCase()]);
    // Everything else stays as the article has it.
    expect(content?.brands).toEqual(WASHER.brands);
    expect(content?.fault_codes).toEqual(WASHER.fault_codes);
    expect(content?.texts.find((x) => x.language === 'en')?.warnings).toEqual(['Unplug first']);
  });

  it('adds the fix as a new language’s text when the article has none in it', () => {
    const base: ArticleContent = {
      ...WASHER,
      texts: WASHER.texts.filter((x) => x.language === 'en'),
    };
    const content = contentFromDraft(draftMergingProposal(base, sharedFix({ language: 'zh' })));
    expect(content?.texts.map((x) => x.language)).toEqual(['en', 'zh']);
    expect(content?.texts[1]?.steps).toEqual([
      'Turn off the tap',
      'Clean the inlet filter',
      'Descale the valve',
    ]);
  });
});

function listed(id: string, over: Partial<ArticleListItem> = {}): ArticleListItem {
  return {
    id,
    status: 'published',
    latest_version: 1,
    published_version: 1,
    category: 'washing_machine',
    titles: [{ language: 'en', title: id }],
    brands: [],
    fault_codes: [],
    author: 'admin',
    updated_at: '2026-12-01T00:00:00Z',
    uses: { used: 0, fixed: 0, did_not_help: 0 },
    ...over,
  };
}

describe('articles a shared fix could be added to', () => {
  it('searches by fault code and brand within the product', () => {
    expect(suggestionQueries(sharedFix())).toEqual([
      { q: 'E4', category: 'washing_machine', limit: 20 },
      { q: 'e4-1', category: 'washing_machine', limit: 20 },
      { q: 'Midea', category: 'washing_machine', limit: 20 },
    ]);
    const bare = { equipment: null, fault_codes: [] };
    expect(suggestionQueries(bare)).toEqual([]);
    const productOnly = {
      equipment: { category: 'oven' as const, brand: ' ', model: '' },
      fault_codes: [],
    };
    expect(suggestionQueries(productOnly)).toEqual([{ category: 'oven', limit: 20 }]);
  });

  it('ranks by fault codes, then brand, then use; each once, other products and withdrawn out of the way', () => {
    const found = [
      listed('brand-only', { brands: ['midea'] }),
      listed('code', { fault_codes: ['E4'], uses: { used: 1, fixed: 1, did_not_help: 0 } }),
      listed('code-and-brand', { fault_codes: ['E4'], brands: ['Midea'] }),
      listed('other-product', { category: 'oven', fault_codes: ['E4'] }),
      listed('withdrawn', { status: 'withdrawn', fault_codes: ['E4', 'E4-1'] }),
      listed('busy', { uses: { used: 9, fixed: 1, did_not_help: 8 } }),
      listed('code', { fault_codes: ['E4'] }),
    ];
    const ranked = rankSuggestions(found, sharedFix());
    expect(ranked.map((s) => s.article.id)).toEqual([
      'code-and-brand',
      'code',
      'brand-only',
      'busy',
      'withdrawn',
    ]);
    expect(ranked[0]).toMatchObject({ codes: ['E4'], brand: true });
    expect(ranked[4]?.codes).toEqual(['E4', 'E4-1']);
  });
});

describe('how long a shared fix has waited', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  it('reads in minutes, hours, then days', () => {
    expect(agePhrase('2026-12-07T11:59:40Z', now)).toEqual({
      key: 'dispatch.kb.shared.ageNow',
      params: {},
    });
    expect(agePhrase('2026-12-07T11:15:00Z', now).params).toEqual({ count: 45 });
    expect(agePhrase('2026-12-07T09:00:00Z', now)).toEqual({
      key: 'dispatch.kb.shared.ageHours',
      params: { count: 3 },
    });
    expect(agePhrase('2026-12-04T11:00:00Z', now)).toEqual({
      key: 'dispatch.kb.shared.ageDays',
      params: { count: 3 },
    });
    // A clock ahead of ours is "just now", never a negative age.
    expect(agePhrase('2026-12-07T12:05:00Z', now).key).toBe('dispatch.kb.shared.ageNow');
    expect(translate('zh', 'dispatch.kb.shared.ageDays', { count: 3 })).toBe('3 天前');
  });
});

describe('the review queue through the API door', () => {
  it('asks for a status, and sends decisions whole', async () => {
    const seen: { url: string; method: string; body: string | null }[] = [];
    const fetcher: typeof fetch = (input, init) => {
      seen.push({
        url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
        method: init?.method ?? 'GET',
        body: typeof init?.body === 'string' ? init.body : null,
      });
      return Promise.resolve(new Response('{}', { status: 200 }));
    };
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    await api.kbProposals({ status: 'pending', limit: 1000 });
    await api.kbProposals({});
    await api.kbProposal('p/1');
    await api.declineKbProposal('p/1', 'Already in article E4');
    await api.acceptKbProposal('p/1', { article_id: null, base_version: null, content: WASHER });
    await api.acceptKbProposal('p/1', { article_id: 'a1', base_version: 3, content: WASHER });
    await api.kbArticles({ sort: 'most_used' });
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/kb/proposals?status=pending&limit=1000',
      'GET /api/v1/kb/proposals',
      'GET /api/v1/kb/proposals/p%2F1',
      'POST /api/v1/kb/proposals/p%2F1/decline',
      'POST /api/v1/kb/proposals/p%2F1/accept',
      'POST /api/v1/kb/proposals/p%2F1/accept',
      'GET /api/v1/kb/articles?sort=most_used',
    ]);
    expect(JSON.parse(seen[3]?.body ?? '{}')).toEqual({ reason: 'Already in article E4' });
    expect(JSON.parse(seen[4]?.body ?? '{}')).toEqual({
      article_id: null,
      base_version: null,
      content: WASHER,
    });
    expect(JSON.parse(seen[5]?.body ?? '{}')).toMatchObject({ article_id: 'a1', base_version: 3 });
  });
});
