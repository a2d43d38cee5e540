import { cpSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/config';
import {
  HANDLERS_READING_HOLIDAYS,
  HOLIDAY_TABLE_IN_BUNDLE,
  HOLIDAY_TABLE_SOURCE,
  handlerNames,
  lambdaBuildOptions,
} from '../../lib/lambda/bundle-options';
import { awsLikeHandlerEnvironment } from '../../local/system/aws-like-environment';
import { buildLambdaArtifacts, type LambdaArtifacts, runInFreshNode } from '../support/lambda-artifacts';

/** The cold-start budget per handler bundle (issue: minified, ≤ 250 KB). */
const BUNDLE_BUDGET_BYTES = 250 * 1024;

const HANDLERS = handlerNames();

/** Every handler as the stack deploys it, beside the SDK layer's content (tests/support/lambda-artifacts.ts). */
let artifacts: LambdaArtifacts;

function taskDir(handler: string): string {
  return artifacts.taskDir(handler);
}

/** `require`s a bundle in a fresh Node the way Lambda does; its exit status and what it printed. */
function loadInFreshNode(dir: string, script: string): { status: number | null; stdout: string; stderr: string } {
  return runInFreshNode(artifacts, dir, script, awsLikeHandlerEnvironment());
}

beforeAll(async () => {
  artifacts = await buildLambdaArtifacts(HANDLERS);
}, 120_000);

afterAll(() => {
  artifacts?.remove();
});

describe('each Lambda bundle stays small: the AWS SDK comes from the layer', () => {
  it.each(HANDLERS)('%s is at most 250 KB minified, without any AWS SDK package inside', (handler) => {
    // Assess
    const size = statSync(join(taskDir(handler), 'index.js')).size;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    const inputs = Object.keys(artifacts.metafile(handler).inputs);
    expect(inputs.filter((path) => /node_modules\/@(aws-sdk|smithy)\//.test(path))).toEqual([]);
  });

  it('copies the holiday table beside exactly the handlers whose code reads it', () => {
    // Assess
    const reading = HANDLERS.filter((handler) =>
      Object.keys(artifacts.metafile(handler).inputs).some((path) =>
        path.endsWith('functions/calendar/holiday-table.ts'),
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
    const withTable = join(artifacts.dir, 'probe', 'with-table');
    const withoutTable = join(artifacts.dir, 'probe', 'without-table');
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
