import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import {
  HANDLERS_READING_HOLIDAYS,
  HOLIDAY_TABLE_IN_BUNDLE,
  HOLIDAY_TABLE_SOURCE,
  handlerEntry,
  lambdaBuildOptions,
} from './bundle-options';

/**
 * A handler's code folder as the stack deploys it (what Lambda unpacks into `/var/task`): `index.js` and its source
 * map, bundled with {@link lambdaBuildOptions}, plus `holidays/` for the handlers that read the holiday table. For the
 * bundle test, the deployed-bundles e2e test and the cold-start bench (the stack builds the same through
 * NodejsFunction). `sdk: 'bundled'` puts the AWS SDK into the bundle instead of leaving it to the layer (the bench's
 * comparison). Returns esbuild's metafile.
 */
export async function buildDeployedHandler(
  handler: string,
  taskDir: string,
  options: { sdk?: 'layer' | 'bundled' } = {},
): Promise<Metafile> {
  const result = await build({
    ...lambdaBuildOptions(handlerEntry(handler), join(taskDir, 'index.js')),
    ...(options.sdk === 'bundled' ? { external: [] } : {}),
    metafile: true,
  });
  if (HANDLERS_READING_HOLIDAYS.has(handler)) {
    cpSync(HOLIDAY_TABLE_SOURCE, join(taskDir, HOLIDAY_TABLE_IN_BUNDLE), { recursive: true });
  }
  return result.metafile;
}
