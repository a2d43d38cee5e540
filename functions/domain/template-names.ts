/** The message templates the project ships (each for email and sms, in pt-BR, en and es). */
export const TEMPLATE_NAMES = ['reminder', 'due-today', 'overdue', 'final-notice'] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(value: string): value is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(value);
}
