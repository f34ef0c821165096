/**
 * The current language, as reactive state: every `t()` in a template re-renders when it
 * changes, so switching language needs no restart. The choice is kept in localStorage.
 */
import type { MessageKey } from './en';
import {
  isLocale,
  languageTag,
  type Locale,
  type Params,
  preferredLocale,
  translate,
} from './translate';

const STORAGE_KEY = 'fieldwork.locale';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled: the choice lasts until the window closes
  }
}

function initialLocale(): Locale {
  const saved = storage()?.getItem(STORAGE_KEY);
  if (isLocale(saved)) return saved;
  return typeof navigator === 'undefined' ? 'en' : preferredLocale(navigator.languages);
}

const state = $state<{ locale: Locale }>({ locale: initialLocale() });

export function currentLocale(): Locale {
  return state.locale;
}

/** The `Intl` tag for the current language (`en`, `zh-CN`). */
export function intlLocale(): string {
  return languageTag(state.locale);
}

export function setLocale(locale: Locale): void {
  state.locale = locale;
  storage()?.setItem(STORAGE_KEY, locale);
  if (typeof document !== 'undefined') document.documentElement.lang = languageTag(locale);
}

/** The message for `key` in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(state.locale, key, params);
}
