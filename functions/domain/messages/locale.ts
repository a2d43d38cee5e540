export const SUPPORTED_LOCALES = ['pt-BR', 'en', 'es'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

/** Exact match, then by language (`pt`, `pt-PT` → pt-BR; `es-MX` → es; `en-GB` → en), case-insensitive; else `en`. */
export function resolveLocale(requested: string | undefined): SupportedLocale {
  if (!requested) return 'en';
  const wanted = requested.trim().replace('_', '-').toLowerCase();
  const exact = SUPPORTED_LOCALES.find((l) => l.toLowerCase() === wanted);
  if (exact) return exact;
  const language = wanted.split('-')[0];
  return SUPPORTED_LOCALES.find((l) => l.toLowerCase().split('-')[0] === language) ?? 'en';
}

/** A YYYY-MM-DD date written for people, without any time-zone shift (the date is a calendar date). */
export function formatDate(date: string, locale: SupportedLocale): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    ...(locale === 'en' ? { dateStyle: 'long' } : { day: '2-digit', month: '2-digit', year: 'numeric' }),
  }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
}
