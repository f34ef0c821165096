/**
 * The knowledge base screens' pure logic: the article editor's state and the `ArticleContent`
 * it sends, which language's text a reader sees, how an article's versions are summarised, and
 * which field a refusal from head office names. What a valid article is stays head office's
 * decision (`fieldwork_domain::kb::ArticleContent::normalised`): the editor only splits what
 * was typed into lists and sends it whole.
 */
import type {
  ArticleContent,
  ArticleListItem,
  ArticleQuery,
  ArticleSort,
  ArticleStatus,
  ArticleText,
  Language,
  PhotoRef,
  ProposalDetail,
  ProposalEquipment,
  ProposalStatus,
} from '../lib/api/headoffice';
import { EQUIPMENT_CATEGORIES, type MessageKey } from '../lib/i18n';
import type { EquipmentCategory } from '../lib/types/EquipmentCategory';

/** The languages an article can be written in, in the order the editor offers them. */
export const LANGUAGES: readonly Language[] = ['en', 'zh'];

export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['draft', 'published', 'withdrawn'];

/** The equipment categories, in the order the apps list them. */
export const CATEGORIES: readonly EquipmentCategory[] = EQUIPMENT_CATEGORIES;

/** The orders the article list offers, the default first. */
export const ARTICLE_SORTS: readonly ArticleSort[] = ['recent', 'most_used', 'often_unhelpful'];

export function isArticleSort(s: string): s is ArticleSort {
  return (ARTICLE_SORTS as readonly string[]).includes(s);
}

export function isArticleStatus(s: string): s is ArticleStatus {
  return (ARTICLE_STATUSES as readonly string[]).includes(s);
}

export function isCategory(s: string): s is EquipmentCategory {
  return (CATEGORIES as readonly string[]).includes(s);
}

/** The `<html lang>`-style tag of a text's language (for fonts and screen readers). */
export function languageTag(language: Language): string {
  return language === 'zh' ? 'zh-CN' : 'en';
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

/** The others, in their order: the titles shown under the reader's own. */
export function otherLanguages<T extends { language: Language }>(
  items: readonly T[],
  shown: T | null,
): T[] {
  return items.filter((i) => i !== shown);
}

/** An article as the preview shows it: saved, or being written (no category chosen yet). */
export type ShownContent = Omit<ArticleContent, 'category'> & {
  category: EquipmentCategory | null;
};

/** A message key and its parameters (the screens translate it). */
export interface Phrase {
  key: MessageKey;
  params: Record<string, number>;
}

/**
 * How an article's versions read in a list: `v3`, `v3 · published` (the latest is on the
 * laptops), `v3 · published v2` (an older version is).
 */
export function versionsPhrase(latest: number, published: number | null): Phrase {
  if (published === null) return { key: 'dispatch.kb.versions.latest', params: { latest } };
  if (published === latest) {
    return { key: 'dispatch.kb.versions.latestPublished', params: { latest } };
  }
  return { key: 'dispatch.kb.versions.olderPublished', params: { latest, published } };
}

/** Whether an admin is offered to publish the latest version (it is not what laptops hold). */
export function canPublishLatest(latest: number, published: number | null): boolean {
  return published !== latest;
}

/** Where one version stands, for the version history. */
export type VersionRole = 'published' | 'draft' | 'earlier';

/**
 * A version is `published` when the laptops hold it; the latest unpublished one is the `draft`
 * waiting for review; any other is an `earlier` version, kept readable.
 */
export function versionRole(
  version: number,
  latest: number,
  published: number | null,
): VersionRole {
  if (version === published) return 'published';
  return version === latest ? 'draft' : 'earlier';
}

// --- the editor ----------------------------------------------------------------------------------

/** A step as the editor holds it: `id` keeps its place (and focus) while steps move. */
export interface StepDraft {
  id: number;
  text: string;
}

/** One language's text as typed: lists one entry per line, steps one field each. */
export interface TextDraft {
  language: Language;
  title: string;
  symptoms: string;
  causes: string;
  warnings: string;
  steps: StepDraft[];
}

/** The editor's state. Brands, models and fault codes are typed as comma-separated lists. */
export interface ArticleDraft {
  /** `''` until chosen. */
  category: EquipmentCategory | '';
  brands: string;
  models: string;
  faultCodes: string;
  parts: string[];
  /** SHA-256 of its pictures, in the order technicians see them. */
  photos: string[];
  texts: TextDraft[];
}

let lastStepId = 0;

export function newStep(text = ''): StepDraft {
  lastStepId += 1;
  return { id: lastStepId, text };
}

export function emptyText(language: Language): TextDraft {
  return { language, title: '', symptoms: '', causes: '', warnings: '', steps: [newStep()] };
}

/** A new article: its text in the language the console is shown in. */
export function emptyDraft(language: Language): ArticleDraft {
  return {
    category: '',
    brands: '',
    models: '',
    faultCodes: '',
    parts: [],
    photos: [],
    texts: [emptyText(language)],
  };
}

/** The editor's state for a saved version (to write the next one). */
export function draftFromContent(c: ArticleContent): ArticleDraft {
  return {
    category: c.category,
    brands: c.brands.join(', '),
    models: c.models.join(', '),
    faultCodes: c.fault_codes.join(', '),
    parts: [...c.parts],
    photos: [...c.photos],
    texts: c.texts.map((t) => ({
      language: t.language,
      title: t.title,
      symptoms: t.symptoms.join('\n'),
      causes: t.causes.join('\n'),
      warnings: t.warnings.join('\n'),
      steps: t.steps.length > 0 ? t.steps.map((s) => newStep(s)) : [newStep()],
    })),
  };
}

/**
 * Entries typed as a list: separated by commas (also `，`, `、`), semicolons or new lines;
 * trimmed, empty and repeated entries left out.
 */
export function splitList(text: string): string[] {
  return unique(text.split(/[,，、;；\n]/));
}

/** Entries typed one per line: trimmed, empty lines left out. */
export function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function unique(items: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of items) {
    const item = raw.trim();
    if (item !== '' && !out.includes(item)) out.push(item);
  }
  return out;
}

/** Whether nothing has been written in a language yet. */
export function textIsEmpty(t: TextDraft): boolean {
  return (
    t.title.trim() === '' &&
    t.symptoms.trim() === '' &&
    t.causes.trim() === '' &&
    t.warnings.trim() === '' &&
    t.steps.every((s) => s.text.trim() === '')
  );
}

export function textFromDraft(t: TextDraft): ArticleText {
  return {
    language: t.language,
    title: t.title.trim(),
    symptoms: splitLines(t.symptoms),
    causes: splitLines(t.causes),
    steps: t.steps.map((s) => s.text.trim()).filter((s) => s !== ''),
    warnings: splitLines(t.warnings),
  };
}

function contentWith(
  d: ArticleDraft,
  category: EquipmentCategory,
  texts: readonly TextDraft[],
): ArticleContent {
  return {
    category,
    brands: splitList(d.brands),
    models: splitList(d.models),
    fault_codes: splitList(d.faultCodes).map((c) => c.toUpperCase()),
    parts: unique(d.parts),
    photos: [...d.photos],
    texts: texts.map(textFromDraft),
  };
}

/**
 * What the editor sends: the whole article. `null` while no category is chosen (the one thing
 * the request cannot carry unchosen); everything else is head office's to judge, which says
 * precisely what it refuses.
 */
export function contentFromDraft(d: ArticleDraft): ArticleContent | null {
  if (d.category === '') return null;
  // A language added and left blank is not part of the article.
  return contentWith(
    d,
    d.category,
    d.texts.filter((t) => !textIsEmpty(t)),
  );
}

/**
 * What the preview shows: everything typed so far, as it would be sent, with a language still
 * blank (it is being written); `category` is `null` while none is chosen.
 */
export function previewContent(d: ArticleDraft): ShownContent {
  return {
    ...contentWith(d, 'air_conditioner', d.texts),
    category: d.category === '' ? null : d.category,
  };
}

/** The languages not yet written in `d`, to offer adding. */
export function missingLanguages(d: ArticleDraft): Language[] {
  return LANGUAGES.filter((l) => !d.texts.some((t) => t.language === l));
}

/**
 * `items` with the entry at `from` moved to `to` (clamped to the list); the same list when
 * nothing moves.
 */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const target = Math.min(Math.max(to, 0), items.length - 1);
  if (from < 0 || from >= items.length || target === from) return [...items];
  const out = [...items];
  const [moved] = out.splice(from, 1);
  out.splice(target, 0, moved as T);
  return out;
}

/**
 * The step list after a key press in step `index` — Alt+↑ and Alt+↓ move the step, Ctrl+Enter
 * adds an empty step after it — and the step to focus; `null` for keys that do nothing.
 */
export function stepsForKey(
  steps: readonly StepDraft[],
  index: number,
  key: { key: string; altKey: boolean; ctrlKey: boolean },
): { steps: StepDraft[]; focus: number } | null {
  if (key.ctrlKey && !key.altKey && key.key === 'Enter') {
    const out = [...steps];
    out.splice(index + 1, 0, newStep());
    return { steps: out, focus: index + 1 };
  }
  if (!key.altKey || key.ctrlKey) return null;
  if (key.key === 'ArrowUp' && index > 0) {
    return { steps: moveItem(steps, index, index - 1), focus: index - 1 };
  }
  if (key.key === 'ArrowDown' && index < steps.length - 1) {
    return { steps: moveItem(steps, index, index + 1), focus: index + 1 };
  }
  return null;
}

/** Whether the draft says something other than `saved` does (to warn before it is lost). */
export function draftChanged(d: ArticleDraft, saved: ArticleDraft): boolean {
  return JSON.stringify(comparable(d)) !== JSON.stringify(comparable(saved));
}

function comparable(d: ArticleDraft) {
  return previewContent(d);
}

// --- refusals ------------------------------------------------------------------------------------

/** The fields head office names when it refuses an article (`invalid`, `too_long`). */
export const ARTICLE_FIELDS = [
  'title',
  'symptoms',
  'causes',
  'steps',
  'warnings',
  'texts',
  'brands',
  'models',
  'fault_codes',
  'parts',
  'photos',
] as const;
export type ArticleField = (typeof ARTICLE_FIELDS)[number];

/**
 * The field a refusal is about: head office's sentences start with it (`steps: an article
 * needs at least one step`, `title is too long: 230 characters, the limit is 200`). `null` for
 * other codes or a sentence that names no field.
 */
export function refusedField(error: { code: string; message: string }): ArticleField | null {
  if (error.code !== 'invalid' && error.code !== 'too_long') return null;
  const m = /^\s*([a-z_]+)(?::| is too long)/i.exec(error.message);
  const field = m?.[1]?.toLowerCase();
  return (ARTICLE_FIELDS as readonly string[]).includes(field ?? '')
    ? (field as ArticleField)
    : null;
}

/** A refusal of an article: the field it names and, when known, a sentence for it. */
export interface Refusal {
  field: ArticleField;
  /** `null`: head office's own sentence says it best. */
  phrase: Phrase | null;
}

/** What to show beside the field a refusal names; `null` when it names none. */
export function articleRefusal(error: { code: string; message: string }): Refusal | null {
  const field = refusedField(error);
  if (field === null) return null;
  const long = /(\d+) characters, the limit is (\d+)/.exec(error.message);
  if (error.code === 'too_long') {
    return {
      field,
      phrase: long
        ? {
            key: 'dispatch.kb.refused.tooLong',
            params: { actual: Number(long[1]), limit: Number(long[2]) },
          }
        : null,
    };
  }
  const many = /(\d+) entries; at most (\d+)/.exec(error.message);
  if (many) {
    return {
      field,
      phrase: {
        key: 'dispatch.kb.refused.tooMany',
        params: { count: Number(many[1]), max: Number(many[2]) },
      },
    };
  }
  if (field === 'title' && /needs a title/.test(error.message)) {
    return { field, phrase: { key: 'dispatch.kb.refused.title', params: {} } };
  }
  if (field === 'steps' && /at least one step/.test(error.message)) {
    return { field, phrase: { key: 'dispatch.kb.refused.steps', params: {} } };
  }
  if (field === 'texts' && /needs its text/.test(error.message)) {
    return { field, phrase: { key: 'dispatch.kb.refused.texts', params: {} } };
  }
  if (field === 'photos' && /not a picture uploaded/.test(error.message)) {
    return { field, phrase: { key: 'dispatch.kb.refused.unknownPhoto', params: {} } };
  }
  return { field, phrase: null };
}

// --- fixes shared from the field ----------------------------------------------------------------

/** Where a shared fix stands, the review queue's own first. */
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = [
  'pending',
  'accepted',
  'merged',
  'declined',
];

export function isProposalStatus(s: string): s is ProposalStatus {
  return (PROPOSAL_STATUSES as readonly string[]).includes(s);
}

/** How long ago something happened, roughly: just now, minutes, hours, then days. */
export function agePhrase(at: string, now: Date): Phrase {
  const ms = now.getTime() - Date.parse(at);
  const mins = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0;
  if (mins < 1) return { key: 'dispatch.kb.shared.ageNow', params: {} };
  if (mins < 60) return { key: 'dispatch.kb.shared.ageMinutes', params: { count: mins } };
  const hours = Math.floor(mins / 60);
  if (hours < 24) return { key: 'dispatch.kb.shared.ageHours', params: { count: hours } };
  return { key: 'dispatch.kb.shared.ageDays', params: { count: Math.floor(hours / 24) } };
}

/** The photos' SHA-256 as an article keeps them: lower case, each once. */
function photoHashes(photos: readonly PhotoRef[]): string[] {
  return unique(photos.map((p) => p.sha256.toLowerCase()));
}

/** The text a shared fix becomes: its title, the job's problem as the symptoms, its diagnosis as the causes, a step per line of its resolution. */
function textFromProposal(p: ProposalDetail): TextDraft {
  const fix = p.review.proposal;
  const steps = splitLines(fix.resolution);
  return {
    language: fix.language,
    title: fix.title.trim(),
    symptoms: splitLines(p.reported_problem).join('\n'),
    causes: splitLines(fix.diagnosis).join('\n'),
    warnings: '',
    steps: steps.length > 0 ? steps.map((s) => newStep(s)) : [newStep()],
  };
}

/**
 * A new article written from a shared fix: it applies to the job's product, brand and model
 * (the author widens the model to a pattern if it fits more), explains the job's fault codes, and
 * carries the photos the technician chose; its one text is in the fix's language.
 */
export function draftFromProposal(p: ProposalDetail): ArticleDraft {
  const e = p.equipment;
  return {
    category: e?.category ?? '',
    brands: e?.brand.trim() ?? '',
    models: e?.model.trim() ?? '',
    faultCodes: unique(p.fault_codes.map((c) => c.toUpperCase())).join(', '),
    parts: [],
    photos: photoHashes(p.photos),
    texts: [textFromProposal(p)],
  };
}

/**
 * The next version of article `base` with a shared fix added: the fix's steps after the
 * article's own in the fix's language (a step it already has is not repeated) — or, when the
 * article has no text in that language, the fix as that language's text — and the fix's photos
 * after the article's. Everything else stays as the article has it.
 */
export function draftMergingProposal(base: ArticleContent, p: ProposalDetail): ArticleDraft {
  const d = draftFromContent(base);
  const language = p.review.proposal.language;
  const text = d.texts.find((x) => x.language === language);
  if (text) {
    const kept = text.steps.filter((s) => s.text.trim() !== '');
    const known = new Set(kept.map((s) => s.text.trim()));
    const added = splitLines(p.review.proposal.resolution).filter((s) => !known.has(s));
    text.steps = [...kept, ...added.map((s) => newStep(s))];
    if (text.steps.length === 0) text.steps = [newStep()];
  } else {
    d.texts.push(textFromProposal(p));
  }
  for (const sha of photoHashes(p.photos)) if (!d.photos.includes(sha)) d.photos.push(sha);
  return d;
}

/** What a shared fix is about, to find articles it could be added to. */
export interface ProposalSubject {
  equipment: ProposalEquipment | null;
  fault_codes: string[];
}

/** How many articles each suggestion search asks for. */
export const SUGGESTION_LIMIT = 20;

/**
 * The article searches that find where a shared fix could go: one per fault code (the first
 * three) and one for the brand, within the product; the product alone when the job names
 * neither. None when nothing is known of the job.
 */
export function suggestionQueries(p: ProposalSubject): ArticleQuery[] {
  const category = p.equipment?.category ?? null;
  const words = unique([...p.fault_codes.slice(0, 3), p.equipment?.brand ?? '']);
  if (words.length === 0) return category ? [{ category, limit: SUGGESTION_LIMIT }] : [];
  return words.map((q) => ({ q, category, limit: SUGGESTION_LIMIT }));
}

/** An article suggested for a shared fix, and what it has in common with the job. */
export interface Suggestion {
  article: ArticleListItem;
  /** The job's fault codes the article explains. */
  codes: string[];
  /** Whether it names the job's brand (not merely any brand). */
  brand: boolean;
}

const codeKey = (c: string) => c.toUpperCase().replace(/-/g, '');

/**
 * The articles found, each once, best first: of the job's product only (when known), those
 * explaining more of its fault codes first, then those naming its brand, then the most used; a
 * withdrawn article last.
 */
export function rankSuggestions(
  found: readonly ArticleListItem[],
  p: ProposalSubject,
): Suggestion[] {
  const seen = new Set<string>();
  const brand = p.equipment?.brand.trim().toLowerCase() ?? '';
  const jobCodes = p.fault_codes.map(codeKey);
  const out: Suggestion[] = [];
  for (const a of found) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    if (p.equipment && a.category !== p.equipment.category) continue;
    const codes = a.fault_codes.filter((c) => jobCodes.includes(codeKey(c)));
    const named = brand !== '' && a.brands.some((b) => b.trim().toLowerCase() === brand);
    out.push({ article: a, codes, brand: named });
  }
  const rank = (s: Suggestion) =>
    (s.article.status === 'withdrawn' ? -1000 : 0) + s.codes.length * 10 + (s.brand ? 5 : 0);
  return out.sort((x, y) => rank(y) - rank(x) || y.article.uses.used - x.article.uses.used);
}
