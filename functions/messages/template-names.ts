/** The message templates the project ships (each for email and sms, in pt-BR, en and es). */
export const TEMPLATE_NAMES = ['reminder', 'due-today', 'overdue', 'final-notice'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(value: string): value is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(value);
}

/**
 * The templates that can state an early-payment offer: the ones sent before the due date. The offer runs until the due
 * date, so `overdue` and `final-notice`, whose wording is about a payment already late, never carry one.
 */
export const OFFER_TEMPLATES: readonly TemplateName[] = ['reminder', 'due-today'];
