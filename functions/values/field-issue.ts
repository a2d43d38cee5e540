import type { z } from 'zod';

/** One problem with one input field: `path` is dotted (`stages.2.at`, `amount`), `issue` says what is wrong. */
export interface FieldIssue {
  readonly path: string;
  readonly issue: string;
}

/** Turns zod issues into field issues with dotted paths (array indexes included). */
export function fieldIssuesFromZod(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path === '' ? '(root)' : path, issue: i.message };
  });
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP's CSV-injection list). */
const FORMULA_TRIGGER = /^[=+\-@\t\r]/;

/**
 * Text echoed into a report a person may open in a spreadsheet, with a leading `'` when it would otherwise start a
 * formula (`=cmd()` becomes `'=cmd()`). Only for echoes: stored values are refused at validation, never altered.
 */
export function spreadsheetSafe(text: string): string {
  return FORMULA_TRIGGER.test(text) ? `'${text}` : text;
}
