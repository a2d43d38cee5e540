import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/config';
import {
  HANDLERS_DIR,
  HANDLERS_READING_HOLIDAYS,
  HOLIDAY_TABLE_IN_BUNDLE,
  HOLIDAY_TABLE_SOURCE,
  handlerEntry,
  lambdaBuildOptions,
} from '../../lib/lambda/bundle-options';
import { writeSdkLayer } from '../../lib/lambda/sdk-layer-content';
import { awsLikeHandlerEnvironment } from '../../local/aws-like-environment';

/** The cold-start budget per handler bundle (issue: minified, ≤ 250 KB). */
const BUNDLE_BUDGET_BYTES = 250 * 1024;

const HANDLERS = readdirSync(HANDLERS_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

/**
 * Every handler bundled exactly as the stack bundles it, in a folder outside the project (so nothing can be
 * resolved from the project's node_modules), beside the SDK layer's content as the stack builds it. Then each bundle
 * is loaded the way Lambda loads it: a fresh Node, `NODE_PATH` = the layer's `nodejs/node_modules`.
 */
let work: string;
let layerModules: string;
const metafiles = new Map<string, Metafile>();

function taskDir(name: string): string {
  return join(work, 'task', name);
}

/** `require`s a bundle in a fresh Node the way Lambda does; its exit status and what it printed. */
function loadInFreshNode(dir: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: layerModules, ...awsLikeHandlerEnvironment() },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dunning-bundles-'));
  layerModules = join(work, 'layer', 'nodejs', 'node_modules');
  writeSdkLayer(PROJECT_ROOT, join(work, 'layer'));
  for (const handler of HANDLERS) {
    const result = await build({
      ...lambdaBuildOptions(handlerEntry(handler), join(taskDir(handler), 'index.js')),
      metafile: true,
    });
    metafiles.set(handler, result.metafile);
    if (HANDLERS_READING_HOLIDAYS.has(handler)) {
      cpSync(HOLIDAY_TABLE_SOURCE, join(taskDir(handler), HOLIDAY_TABLE_IN_BUNDLE), { recursive: true });
    }
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('each Lambda bundle stays small: the AWS SDK comes from the layer', () => {
  it.each(HANDLERS)('%s is at most 250 KB minified, without any AWS SDK package inside', (handler) => {
    // Assess
    const size = statSync(join(taskDir(handler), 'index.js')).size;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    const inputs = Object.keys(metafiles.get(handler)?.inputs ?? {});
    expect(inputs.filter((path) => /node_modules\/@(aws-sdk|smithy)\//.test(path))).toEqual([]);
  });

  it('copies the holiday table beside exactly the handlers whose code reads it', () => {
    // Assess
    const reading = HANDLERS.filter((handler) =>
      Object.keys(metafiles.get(handler)?.inputs ?? {}).some((path) =>
        path.endsWith('functions/domain/holiday-table.ts'),
      ),
    );
    expect(reading.length).toBeGreaterThan(0);
    expect(reading).toEqual([...HANDLERS_READING_HOLIDAYS].sort());
  });
});

describe('each Lambda bundle loads with nothing but the SDK layer to resolve packages from', () => {
  it.each(HANDLERS)('%s loads and exports its handler', (handler) => {
    // Act
    const run = loadInFreshNode(taskDir(handler), "process.stdout.write(typeof require('./index.js').handler)");

    // Assess
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr.slice(-800) }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(run.stdout).toBe('function');
  });
});

describe('a bundle reads the holiday table beside itself', () => {
  const probe = join(PROJECT_ROOT, 'tests', 'support', 'holiday-probe.ts');

  it('answers from the copy next to the bundle, and names the missing file when there is none', async () => {
    // Prepare
    const withTable = join(work, 'probe', 'with-table');
    const withoutTable = join(work, 'probe', 'without-table');
    for (const dir of [withTable, withoutTable]) {
      await build(lambdaBuildOptions(probe, join(dir, 'index.js')));
    }
    cpSync(HOLIDAY_TABLE_SOURCE, join(withTable, HOLIDAY_TABLE_IN_BUNDLE), { recursive: true });

    // Act
    const found = loadInFreshNode(withTable, "require('./index.js')");
    const missing = loadInFreshNode(withoutTable, "require('./index.js')");

    // Assess
    expect({ status: found.status, stdout: found.stdout }).toEqual({ status: 0, stdout: '[true,false]' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(join(withoutTable, HOLIDAY_TABLE_IN_BUNDLE, 'index.json'));
  });
});
