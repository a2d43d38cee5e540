import type { LocaleCatalog } from './catalog';
import { CATALOG_EN } from './catalog-en';
import { CATALOG_ES } from './catalog-es';
import { CATALOG_PT_BR } from './catalog-pt-BR';
import type { SupportedLocale } from './locale';

/** The texts of every supported language. */
export const CATALOGS: Readonly<Record<SupportedLocale, LocaleCatalog>> = {
  'pt-BR': CATALOG_PT_BR,
  en: CATALOG_EN,
  es: CATALOG_ES,
};
