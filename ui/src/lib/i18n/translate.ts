/** Looking a message up and filling it in; pure, so it is tested without a component. */
import en, { type Message, type MessageKey } from './en';
import zh from './zh';

export const LOCALES = ['en', 'zh'] as const;
export type Locale = (typeof LOCALES)[number];

export type Params = Record<string, string | number>;

const catalogues: Record<Locale, Partial<Record<string, Message>>> = { en, zh };

/** BCP 47 tag for `Intl` and `<html lang>`. */
export function languageTag(locale: Locale): string {
  return locale === 'zh' ? 'zh-CN' : 'en';
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The locale a first start picks: the system language when we have it, else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const lang of languages) {
    const base = lang.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

function choose(message: Message, locale: Locale, params: Params | undefined): string {
  if (typeof message === 'string') return message;
  const count = params?.count;
  if (typeof count !== 'number') return message.other;
  let rules = pluralRules.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(languageTag(locale));
    pluralRules.set(locale, rules);
  }
  return rules.select(count) === 'one' ? message.one : message.other;
}

/** Replaces `{name}` with `params.name`; unknown names stay visible rather than vanishing. */
export function interpolate(template: string, params: Params | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * The message for `key` in `locale`, falling back to English and then to the key itself (so
 * a gap shows up as a readable key, never as an empty label).
 */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const message = catalogues[locale][key] ?? catalogues.en[key];
  if (message === undefined) return key;
  return interpolate(choose(message, locale, params), params);
}
