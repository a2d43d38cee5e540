/** The languages the shipped templates are written in. */
export const SUPPORTED_LOCALES = ['pt-BR', 'en', 'es'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/** The language used when the requested one is missing or not supported. */
export const FALLBACK_LOCALE: SupportedLocale = 'en';

/**
 * Picks the template language for a requested locale (BCP 47 tag, `_` accepted for `-`), case-insensitively:
 * an exact match first, then by language (`pt`, `pt-PT` → `pt-BR`; `es-MX` → `es`; `en-GB` → `en`), else `en`.
 */
export function resolveLocale(requested: string | undefined): SupportedLocale {
  const wanted = (requested ?? '').trim().replaceAll('_', '-').toLowerCase();
  if (wanted === '') return FALLBACK_LOCALE;
  const exact = SUPPORTED_LOCALES.find((locale) => locale.toLowerCase() === wanted);
  if (exact) return exact;
  const language = languageOf(wanted);
  return SUPPORTED_LOCALES.find((locale) => languageOf(locale) === language) ?? FALLBACK_LOCALE;
}

function languageOf(tag: string): string {
  return (tag.split('-')[0] ?? '').toLowerCase();
}
