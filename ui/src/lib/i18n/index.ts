export type { MessageKey } from './en';
export { currentLocale, intlLocale, setLocale, t } from './locale.svelte';
export type { Locale, Params } from './translate';
export { isLocale, languageTag, LOCALES } from './translate';
export * from './labels';
