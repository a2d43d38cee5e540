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
