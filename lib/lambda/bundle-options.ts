import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from '../config';
import { SDK_EXTERNAL_MODULES } from './sdk-layer-content';

/**
 * How every Lambda is bundled — one description read by the stack's `DunningFunction` (through NodejsFunction's
 * local esbuild), by `tests/infra/lambda-bundles.test.ts` and by the cold-start bench, so all three build the same
 * file.
 */

/** Folder of the Lambda entry files (`functions/handlers/<name>.ts`). */
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/**
 * Package entry points esbuild prefers: a package's ES modules (`module`) before its CommonJS build (`main`), so
 * esbuild drops what a handler does not use (zod, middy). The output is still CommonJS.
 */
export const BUNDLE_MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * The handlers are ES modules; a few read files next to their code through `import.meta.url` (the holiday
 * table). A CommonJS bundle has no `import.meta`, so the bundle defines it from `__filename` (`/var/task/index.js`).
 */
export const BUNDLE_DEFINE: Readonly<Record<string, string>> = { 'import.meta.url': '__dunningImportMetaUrl' };
export const BUNDLE_BANNER = "const __dunningImportMetaUrl=require('node:url').pathToFileURL(__filename).href;";

/**
 * The public-holiday table (`functions/calendar/holidays/`, generated from date-holidays by `npm run holidays`),
 * read at run time from `holidays/` beside the bundle, only for the countries an invocation needs.
 */
export const HOLIDAY_TABLE_SOURCE = join(PROJECT_ROOT, 'functions', 'calendar', 'holidays');
export const HOLIDAY_TABLE_IN_BUNDLE = 'holidays';

/**
 * The handlers whose code reads the holiday table: their asset carries a copy of it. The bundle test checks this
 * list against what each bundle imports.
 */
export const HANDLERS_READING_HOLIDAYS: ReadonlySet<string> = new Set(['send-stage']);

/** Every handler's name (its file under functions/handlers/ without `.ts`), sorted. */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** The entry file of a handler (`send-stage` → `functions/handlers/send-stage.ts`). */
export function handlerEntry(handler: string): string {
  return join(HANDLERS_DIR, `${handler}.ts`);
}

/** The esbuild options of a bundle (a handler's `handlerEntry`), as the stack builds it. */
export function lambdaBuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: [...BUNDLE_MAIN_FIELDS],
    external: [...SDK_EXTERNAL_MODULES],
    define: { ...BUNDLE_DEFINE },
    banner: { js: BUNDLE_BANNER },
    logLevel: 'silent',
  };
}
