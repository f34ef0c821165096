/**
 * The knowledge screens' pure logic: which language an article is read in, why an article was
 * suggested (as a message to translate), the applies-to line, the job panel's summary. Whether
 * an article fits a job, and how well, is the core's decision (`fieldwork_domain::kb`); this
 * only says it in words.
 */
import type { Locale, MessageKey, Params } from '../../lib/i18n';
import type { ArticleTitle } from '../../lib/types/ArticleTitle';
import type { EquipmentCategory } from '../../lib/types/EquipmentCategory';
import type { Language } from '../../lib/types/Language';
import type { MatchReason } from '../../lib/types/MatchReason';

/** A message key and its parameters, translated where it is shown. */
export interface Phrase {
  key: MessageKey;
  params?: Params;
}

/** The languages articles are written in, in the order the switch offers them. */
export const LANGUAGES: readonly Language[] = ['en', 'zh'];

/** The article language a reader of the UI in `locale` prefers (the two lists are the same). */
export function languageOf(locale: Locale): Language {
  return locale === 'zh' ? 'zh' : 'en';
}

/**
 * What a reader of `language` sees of something written per language (a text, a title): that
 * language's, else the first there is; `null` when there is none.
 */
export function inLanguage<T extends { language: Language }>(
  items: readonly T[],
  language: Language,
): T | null {
  return items.find((i) => i.language === language) ?? items[0] ?? null;
}

/** An article's title for a reader of `language` (the other language's when not written in it). */
export function titleFor(titles: readonly ArticleTitle[], language: Language): ArticleTitle | null {
  return inLanguage(titles, language);
}

/** The `lang` attribute for text written in `language` (fonts and screen readers). */
export function languageTag(language: Language): string {
  return language === 'zh' ? 'zh-CN' : 'en';
}

/** Why an article was suggested, as a phrase: "Fault code E21", "Model EG100*", "Brand Haier". */
export function reasonPhrase(reason: MatchReason): Phrase {
  switch (reason.kind) {
    case 'fault_code':
      return { key: 'kb.reason.fault_code', params: { code: reason.code } };
    case 'model':
      return { key: 'kb.reason.model', params: { model: reason.model } };
    case 'brand':
      return { key: 'kb.reason.brand', params: { brand: reason.brand } };
    case 'words':
      return { key: 'kb.reason.words', params: { count: reason.count } };
  }
}

/** The strongest reasons first: a fault code, then the model, the brand, shared words. */
const REASON_ORDER: Record<MatchReason['kind'], number> = {
  fault_code: 0,
  model: 1,
  brand: 2,
  words: 3,
};

export function reasonPhrases(reasons: readonly MatchReason[]): Phrase[] {
  return [...reasons].sort((a, b) => REASON_ORDER[a.kind] - REASON_ORDER[b.kind]).map(reasonPhrase);
}

/** What an article applies to, as the parts of one line: the product, brands, models. */
export function appliesTo(
  article: { category: EquipmentCategory; brands: readonly string[]; models: readonly string[] },
  categoryName: (c: EquipmentCategory) => string,
  anyBrand: string,
): string[] {
  return [
    categoryName(article.category),
    article.brands.length ? article.brands.join(', ') : anyBrand,
    ...(article.models.length ? [article.models.join(', ')] : []),
  ];
}

/**
 * The job panel's collapsed line: "3 articles · 2 past fixes", each part only when there is
 * one; empty when there is nothing to show.
 */
export function panelSummary(articles: number, fixes: number): Phrase[] {
  const out: Phrase[] = [];
  if (articles > 0) out.push({ key: 'kb.panel.articles', params: { count: articles } });
  if (fixes > 0) out.push({ key: 'kb.panel.fixes', params: { count: fixes } });
  return out;
}

/** Brands of the articles listed, each once (ignoring case), sorted for a picker. */
export function brandsOf(articles: readonly { brands: readonly string[] }[]): string[] {
  const seen = new Map<string, string>();
  for (const a of articles) {
    for (const b of a.brands) {
      const key = b.trim().toLowerCase();
      if (key && !seen.has(key)) seen.set(key, b.trim());
    }
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
}

/** Categories of the articles listed, each once, in the order of `all`. */
export function categoriesOf(
  articles: readonly { category: EquipmentCategory }[],
  all: readonly EquipmentCategory[],
): EquipmentCategory[] {
  const present = new Set(articles.map((a) => a.category));
  return all.filter((c) => present.has(c));
}

/** The equipment categories, in the order the apps list them. */
export { EQUIPMENT_CATEGORIES as CATEGORIES } from '../../lib/i18n';

/** Whether a past fix was done at the first visit, as its label. */
export function firstTimeFixPhrase(firstTime: boolean): Phrase {
  return { key: firstTime ? 'kb.fix.firstTime' : 'kb.fix.notFirstTime' };
}
