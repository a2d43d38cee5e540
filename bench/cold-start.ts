/**
 * Cold start proxy: each Lambda bundled as the stack's NodejsFunction bundles it (lib/constructs/dunning-function.ts:
 * esbuild, minified, node22 target, CommonJS, ES module entry points first, AWS SDK included, source map beside it),
 * its size, and the time a fresh Node process takes to load it (module init: the handler module's top level, clients
 * created, nothing called) — median of `runs` processes — next to loading the TypeScript source unbundled (through
 * tsx, its transform cache warmed first by one process that imports every handler). Lambda's own runtime start
 * (~100 ms+) comes on top of both and is not measured here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { DEFAULT_CONFIG_FILE, loadDunningConfig, PROJECT_ROOT } from '../lib/config';
import { BUNDLE_MAIN_FIELDS } from '../lib/constructs/dunning-function';
import { handlerEnvironment } from '../local/system';

export interface ColdStartResult {
  readonly handler: string;
  readonly bundleBytes: number;
  /**
   * The same bundle with the AWS SDK left out (`@aws-sdk/*`, `@smithy/*`: NodejsFunction's default, the Lambda
   * runtime's own SDK then answering): what pinning the SDK costs. The stack bundles it (bundleBytes).
   */
  readonly bundleBytesWithoutSdk: number;
  /** The packages that weigh most in the bundle (bytes of output). */
  readonly largest: Record<string, number>;
  readonly initMs: { median: number; runs: number[] };
  readonly unbundledImportMs: { median: number; runs: number[] };
  readonly error?: string;
}

/**
 * What the handlers read at import: the environment the local runtime gives them (the same variables the stack sets
 * on each function), for the default config, with AWS-looking names.
 */
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  ...handlerEnvironment(
    loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE)),
    {
      tableName: 'dunning',
      bucket: 'dunning-drops',
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dunning-start',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
    },
    'arn:aws:states:us-east-1:123456789012:stateMachine:dunning',
  ),
};

const REQUIRE_TIMER = `const t0 = process.hrtime.bigint();
require(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;
const IMPORT_TIMER = `const t0 = process.hrtime.bigint();
await import(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Runs `node [args] timer file` `runs` times in fresh processes; the milliseconds each printed. */
function timeLoads(nodeArgs: readonly string[], timer: string, file: string, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, [...nodeArgs, timer, file], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...ENVIRONMENT },
      encoding: 'utf8',
    });
    const ms = Number(out.stdout.trim());
    if (out.status !== 0 || Number.isNaN(ms)) {
      const why = out.stderr.split('\n').filter((line) => /\w*Error\b/.test(line) && line.length < 500);
      throw new Error(`loading ${file} failed: ${why.at(-1) ?? out.stderr.slice(-300)}`);
    }
    times.push(ms);
  }
  return times;
}

/** Bytes of output per package (node_modules/<package>, or "functions" for our code). */
function largestInputs(metafile: Metafile): Record<string, number> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = match?.[1] ?? path.split('/')[0] ?? path;
      byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6));
}

export async function measureColdStarts(options: {
  runs: number;
  /** Fresh imports of the TypeScript source per handler. @default 1 */
  unbundledRuns?: number;
  handlers?: readonly string[];
}): Promise<ColdStartResult[]> {
  const dir = join(tmpdir(), 'dunning-bench-bundles');
  mkdirSync(dir, { recursive: true });
  const requireTimer = join(dir, 'require-timer.cjs');
  const importTimer = join(dir, 'import-timer.mjs');
  writeFileSync(requireTimer, REQUIRE_TIMER);
  writeFileSync(importTimer, IMPORT_TIMER);
  const handlersDir = join(PROJECT_ROOT, 'functions', 'handlers');
  const names =
    options.handlers ??
    readdirSync(handlersDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3))
      .sort();
  // One process imports every handler first: tsx's transform cache is warm for the measured imports.
  const warm = join(dir, 'warm-tsx-cache.mjs');
  writeFileSync(warm, 'for (const file of process.argv.slice(2)) await import(file);\n');
  spawnSync(process.execPath, ['--import', 'tsx', warm, ...names.map((n) => join(handlersDir, `${n}.ts`))], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...ENVIRONMENT },
  });
  const results: ColdStartResult[] = [];
  for (const handler of names) {
    const entry = join(handlersDir, `${handler}.ts`);
    const outfile = join(dir, handler, 'index.js');
    // As the stack bundles it (lib/constructs/dunning-function.ts), and once more with the AWS SDK left out.
    const common: BuildOptions = {
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      mainFields: [...BUNDLE_MAIN_FIELDS],
      logLevel: 'silent',
    };
    const bundled = await build({ ...common, outfile, sourcemap: true, metafile: true });
    const bundleBytes = statSync(outfile).size;
    const withoutSdk = await build({ ...common, external: ['@aws-sdk/*', '@smithy/*'], write: false });
    const bundleBytesWithoutSdk = withoutSdk.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
    try {
      results.push({
        handler,
        bundleBytes,
        bundleBytesWithoutSdk,
        largest: largestInputs(bundled.metafile),
        initMs: summary(timeLoads([], requireTimer, outfile, options.runs)),
        unbundledImportMs: summary(timeLoads(['--import', 'tsx'], importTimer, entry, options.unbundledRuns ?? 1)),
      });
    } catch (error) {
      results.push({
        handler,
        bundleBytes,
        bundleBytesWithoutSdk,
        largest: largestInputs(bundled.metafile),
        initMs: { median: Number.NaN, runs: [] },
        unbundledImportMs: { median: Number.NaN, runs: [] },
        error: (error as Error).message,
      });
    }
  }
  return results;
}

function summary(runs: number[]): { median: number; runs: number[] } {
  return { median: Math.round(median(runs) * 10) / 10, runs: runs.map((r) => Math.round(r * 10) / 10) };
}
