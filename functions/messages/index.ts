/**
 * Dunning messages (email and SMS) for the templates the project ships, in pt-BR, en and es.
 * Pure: no I/O, texts are TypeScript modules bundled with the Lambdas.
 */
export type {
  CompanyIdentity,
  MessageContext,
  MessageOffer,
  OtherInvoice,
  RenderedEmail,
  RenderedSms,
} from './context';
export { isGsm7Character, smsParts, toGsm7 } from './gsm7';
export { escapeHtml } from './html';
export { FALLBACK_LOCALE, resolveLocale, SUPPORTED_LOCALES, type SupportedLocale } from './locale';
export { renderEmail } from './render-email';
export { renderSms, SMS_TARGET_LENGTH } from './render-sms';
export { InvalidMessageContext } from './validate';
