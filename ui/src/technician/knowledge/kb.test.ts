import { describe, expect, it } from 'vitest';

import { translate } from '../../lib/i18n/translate';
import type { ArticleTitle } from '../../lib/types/ArticleTitle';
import {
  appliesTo,
  brandsOf,
  CATEGORIES,
  categoriesOf,
  inLanguage,
  languageOf,
  panelSummary,
  type Phrase,
  reasonPhrases,
  titleFor,
} from './kb';

const say = (locale: 'en' | 'zh') => (p: Phrase) => translate(locale, p.key, p.params);

const both: ArticleTitle[] = [
  { language: 'en', title: 'Drum does not spin, E21 shown' },
  { language: 'zh', title: '洗衣机不脱水，显示E21' },
];

describe('the language an article is read in', () => {
  it('is the UI language when the article is written in it', () => {
    expect(titleFor(both, 'en')?.title).toBe('Drum does not spin, E21 shown');
    expect(titleFor(both, 'zh')?.title).toBe('洗衣机不脱水，显示E21');
    expect(titleFor([...both].reverse(), 'en')?.language).toBe('en');
  });

  it('falls back to the other language, then to nothing', () => {
    const zhOnly: ArticleTitle[] = [{ language: 'zh', title: '热水器显示E4' }];
    expect(titleFor(zhOnly, 'en')).toEqual({ language: 'zh', title: '热水器显示E4' });
    expect(titleFor([], 'en')).toBeNull();
    expect(inLanguage([{ language: 'en' as const, steps: ['x'] }], 'zh')?.steps).toEqual(['x']);
  });

  it('follows the UI locale', () => {
    expect(languageOf('zh')).toBe('zh');
    expect(languageOf('en')).toBe('en');
  });
});

describe('why an article was suggested', () => {
  it('says each reason in both languages, the strongest first', () => {
    const reasons = reasonPhrases([
      { kind: 'words', count: 2 },
      { kind: 'brand', brand: 'Haier' },
      { kind: 'model', model: 'EG100*' },
      { kind: 'fault_code', code: 'E21' },
    ]);
    expect(reasons.map(say('en'))).toEqual([
      'Fault code E21',
      'Model EG100*',
      'Brand Haier',
      '2 symptom words in common',
    ]);
    expect(reasons.map(say('zh'))).toEqual([
      '故障码 E21',
      '型号 EG100*',
      '品牌 Haier',
      '故障现象相近（2 个词）',
    ]);
  });

  it('counts one shared word in the singular', () => {
    expect(reasonPhrases([{ kind: 'words', count: 1 }]).map(say('en'))).toEqual([
      '1 symptom word in common',
    ]);
  });
});

describe('the job panel’s summary line', () => {
  it('names only what there is', () => {
    expect(panelSummary(3, 2).map(say('en'))).toEqual(['3 articles', '2 past fixes']);
    expect(panelSummary(1, 0).map(say('en'))).toEqual(['1 article']);
    expect(panelSummary(0, 1).map(say('zh'))).toEqual(['1 条维修案例']);
    expect(panelSummary(0, 0)).toEqual([]);
  });
});

describe('what an article applies to and the filters’ choices', () => {
  const name = (c: string) => `<${c}>`;

  it('reads product · brands · models, any brand when none is named', () => {
    const article = {
      category: 'washing_machine' as const,
      brands: ['Haier', 'Midea'],
      models: ['EG100*'],
    };
    expect(appliesTo(article, name, 'any brand')).toEqual([
      '<washing_machine>',
      'Haier, Midea',
      'EG100*',
    ]);
    expect(appliesTo({ ...article, brands: [], models: [] }, name, 'any brand')).toEqual([
      '<washing_machine>',
      'any brand',
    ]);
  });

  it('lists each brand once ignoring case, sorted, and the categories present in order', () => {
    const articles = [
      { category: 'water_heater' as const, brands: ['midea', 'Haier'] },
      { category: 'washing_machine' as const, brands: ['Midea', ' Bosch '] },
      { category: 'water_heater' as const, brands: [] },
    ];
    expect(brandsOf(articles)).toEqual(['Bosch', 'Haier', 'midea']);
    expect(categoriesOf(articles, CATEGORIES)).toEqual(['water_heater', 'washing_machine']);
  });
});
