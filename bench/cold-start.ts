/**
 * Cold start proxy: each Lambda bundled as the stack bundles it (lib/lambda/bundle-options.ts: esbuild, minified,
 * node22, CommonJS, ES module entry points first, the AWS SDK left out for the layer, source map beside it), its
 * size, and the time a fresh Node process takes to load it the way Lambda does — from a folder outside the project,
 * packages resolved only from the AWS SDK layer's content (`NODE_PATH`), the holiday table beside the handlers that
 * read it — (module init: the handler module's top level, clients created, nothing called), median of `runs`
 * processes. Next to it, for comparison: the same handler with the SDK bundled in (tree-shaken, what the stack did
 * before the layer) and the TypeScript source loaded unbundled (through tsx, its transform cache warmed first by one
 * process that imports every handler). Lambda's own runtime start (~100 ms+) comes on top and is not measured here.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../lib/config';
import { buildDeployedHandler } from '../lib/lambda/build-deployed';
import { handlerEntry, handlerNames } from '../lib/lambda/bundle-options';
import { writeSdkLayer } from '../lib/lambda/sdk-layer-content';
import { awsLikeHandlerEnvironment } from '../local/system/aws-like-environment';

export interface ColdStartResult {
  readonly handler: string;
  /** The handler's bundle as deployed (minified, the AWS SDK left out: the layer serves it). */
  readonly bundleBytes: number;
  /** The packages that weigh most in the bundle (bytes of output). */
  readonly largest: Record<string, number>;
  /** Module init with the SDK loaded from the layer's content, as Lambda loads it. */
  readonly initMs: { median: number; runs: number[] };
  /** For comparison: the bundle with the AWS SDK bundled in (tree-shaken ES modules), and its module init. */
  readonly sdkBundled: { bundleBytes: number; initMs: { median: number; runs: number[] } };
  readonly unbundledImportMs: { median: number; runs: number[] };
  readonly error?: string;
}

export interface SdkLayerFigures {
  readonly packages: number;
  /** Bytes of the layer's files (unzipped). */
  readonly bytes: number;
}

/** What the handlers read at import (the variables the stack sets on each function, AWS-looking names). */
const ENVIRONMENT = awsLikeHandlerEnvironment();

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

/** Runs `node [args] timer file` `runs` times in fresh processes (in `cwd`, with `env`); the milliseconds each printed. */
function timeLoads(
  nodeArgs: readonly string[],
  timer: string,
  file: string,
  runs: number,
  where: { cwd: string; env: NodeJS.ProcessEnv },
): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = spawnSync(process.execPath, [...nodeArgs, timer, file], { ...where, encoding: 'utf8' });
    const ms = Number(out.stdout.trim());
    if (out.status !== 0 || Number.isNaN(ms)) {
      const why = out.stderr.split('\n').filter((line) => /\w*Error\b/.test(line) && line.length < 500);
      throw new Error(`loading ${file} failed: ${why.at(-1) ?? out.stderr.slice(-300)}`);
    }
    times.push(ms);
  }
  return times;
}

/** Total bytes of the files under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
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
}): Promise<{ handlers: ColdStartResult[]; sdkLayer: SdkLayerFigures }> {
  const dir = join(tmpdir(), 'dunning-bench-bundles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const requireTimer = join(dir, 'require-timer.cjs');
  const importTimer = join(dir, 'import-timer.mjs');
  writeFileSync(requireTimer, REQUIRE_TIMER);
  writeFileSync(importTimer, IMPORT_TIMER);
  const layerDir = join(dir, 'layer');
  const layerPackages = writeSdkLayer(PROJECT_ROOT, layerDir);
  const sdkLayer = { packages: layerPackages.length, bytes: bytesUnder(layerDir) };
  // As Lambda loads a bundle: from outside the project, packages only from the layer (NODE_PATH).
  const asLambda = {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(layerDir, 'nodejs', 'node_modules'), ...ENVIRONMENT },
  };
  const inProject = { cwd: PROJECT_ROOT, env: { ...process.env, ...ENVIRONMENT } };
  const names = options.handlers ?? handlerNames();
  // One process imports every handler first: tsx's transform cache is warm for the measured imports.
  const warm = join(dir, 'warm-tsx-cache.mjs');
  writeFileSync(warm, 'for (const file of process.argv.slice(2)) await import(file);\n');
  spawnSync(process.execPath, ['--import', 'tsx', warm, ...names.map(handlerEntry)], inProject);
  const handlers: ColdStartResult[] = [];
  for (const handler of names) {
    const entry = handlerEntry(handler);
    const outfile = join(dir, 'task', handler, 'index.js');
    const deployed = await buildDeployedHandler(handler, join(dir, 'task', handler));
    const sdkBundledFile = join(dir, 'sdk-bundled', handler, 'index.js');
    await buildDeployedHandler(handler, join(dir, 'sdk-bundled', handler), { sdk: 'bundled' });
    const bundleBytes = statSync(outfile).size;
    const sdkBundledBytes = statSync(sdkBundledFile).size;
    const measure = () => ({
      initMs: summary(timeLoads([], requireTimer, outfile, options.runs, asLambda)),
      sdkBundled: {
        bundleBytes: sdkBundledBytes,
        initMs: summary(timeLoads([], requireTimer, sdkBundledFile, options.runs, asLambda)),
      },
      unbundledImportMs: summary(
        timeLoads(['--import', 'tsx'], importTimer, entry, options.unbundledRuns ?? 1, inProject),
      ),
    });
    const none = { median: Number.NaN, runs: [] };
    try {
      handlers.push({ handler, bundleBytes, largest: largestInputs(deployed), ...measure() });
    } catch (error) {
      handlers.push({
        handler,
        bundleBytes,
        largest: largestInputs(deployed),
        initMs: none,
        sdkBundled: { bundleBytes: sdkBundledBytes, initMs: none },
        unbundledImportMs: none,
        error: (error as Error).message,
      });
    }
  }
  return { handlers, sdkLayer };
}

function summary(runs: number[]): { median: number; runs: number[] } {
  return { median: Math.round(median(runs) * 10) / 10, runs: runs.map((r) => Math.round(r * 10) / 10) };
}
