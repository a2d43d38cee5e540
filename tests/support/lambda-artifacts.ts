import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { PROJECT_ROOT } from '../../lib/config';
import { buildDeployedHandler } from '../../lib/lambda/build-deployed';
import { writeSdkLayer } from '../../lib/lambda/sdk-layer-content';

/**
 * What the stack deploys, built in a folder outside the project (so nothing resolves from the project's
 * node_modules): each handler's bundle as the stack bundles it (lib/lambda/bundle-options.ts), with the holiday
 * table beside the ones that read it, and the AWS SDK layer's content. A bundle runs the way Lambda runs it: a Node
 * process whose only place to find packages is the layer (`NODE_PATH`).
 */
export interface LambdaArtifacts {
  readonly dir: string;
  /** The layer's `nodejs/node_modules` (what Lambda puts on `NODE_PATH`). */
  readonly layerModules: string;
  /** The folder of a handler's bundle (`index.js`, like `/var/task`). */
  taskDir(handler: string): string;
  metafile(handler: string): Metafile;
  remove(): void;
}

export async function buildLambdaArtifacts(handlers: readonly string[]): Promise<LambdaArtifacts> {
  const dir = mkdtempSync(join(tmpdir(), 'dunning-lambda-artifacts-'));
  const layer = join(dir, 'layer');
  writeSdkLayer(PROJECT_ROOT, layer);
  const taskDir = (handler: string) => join(dir, 'task', handler);
  const metafiles = new Map<string, Metafile>();
  for (const handler of handlers) metafiles.set(handler, await buildDeployedHandler(handler, taskDir(handler)));
  writeFileSync(join(dir, 'fixed-clock.cjs'), FIXED_CLOCK);
  writeFileSync(join(dir, 'invoke.cjs'), INVOKE);
  return {
    dir,
    layerModules: join(layer, 'nodejs', 'node_modules'),
    taskDir,
    metafile(handler) {
      const found = metafiles.get(handler);
      if (!found) throw new Error(`${handler} was not bundled`);
      return found;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The environment of a bundle's process: `env` without Node/loader options, packages only from the layer. */
function lambdaEnv(artifacts: LambdaArtifacts, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _options, NODE_PATH: _path, ...rest } = env;
  return { ...rest, NODE_PATH: artifacts.layerModules };
}

/** Runs `script` (`node -e`) in a fresh Node in `dir`, synchronously (nothing in this process may need to answer). */
export function runInFreshNode(
  artifacts: LambdaArtifacts,
  dir: string,
  script: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ['-e', script], {
    cwd: dir,
    env: lambdaEnv(artifacts, { PATH: process.env.PATH ?? '', ...env }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/**
 * Makes `new Date()` and `Date.now()` read FIXED_CLOCK_MS (the local system's virtual instant, which stands still
 * while a handler runs, as it does for the handlers imported in-process).
 */
const FIXED_CLOCK = `const fixed = Number(process.env.FIXED_CLOCK_MS);
if (Number.isFinite(fixed)) {
  const RealDate = Date;
  class FixedClockDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(fixed); else super(...args); }
    static now() { return fixed; }
  }
  globalThis.Date = FixedClockDate;
}
`;

/** Calls the bundle's handler with the event in a file and writes its answer (or its error) to another file. */
const INVOKE = `const { readFileSync, writeFileSync } = require('node:fs');
const [bundle, eventFile, answerFile] = process.argv.slice(2);
const context = { awsRequestId: 'bundle-' + process.pid, functionName: bundle, getRemainingTimeInMillis: () => 30000 };
Promise.resolve()
  .then(() => require(bundle).handler(JSON.parse(readFileSync(eventFile, 'utf8')), context))
  .then(
    (answer) => writeFileSync(answerFile, JSON.stringify({ answer: answer === undefined ? null : answer })),
    (error) => writeFileSync(answerFile, JSON.stringify({ error: { name: error.name, message: error.message } })),
  );
`;

let invocations = 0;

/**
 * A handler that runs the bundle in its own Node process, as Lambda would: the event and answer go through files,
 * the clock starts at `clockMs()` (the local system's virtual clock), the environment is `process.env` at the call
 * (the local system's endpoints and the stack's variables). An error the handler threw is thrown again here, with
 * its name and message; a process that dies throws what it printed.
 */
export function bundledHandler(
  artifacts: LambdaArtifacts,
  handler: string,
  clockMs: () => number,
): (event: unknown) => Promise<unknown> {
  return (event) => {
    const id = ++invocations;
    const eventFile = join(artifacts.dir, `event-${id}.json`);
    const answerFile = join(artifacts.dir, `answer-${id}.json`);
    writeFileSync(eventFile, JSON.stringify(event));
    const env = lambdaEnv(artifacts, { ...process.env, FIXED_CLOCK_MS: String(clockMs()) });
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(artifacts.dir, 'fixed-clock.cjs'),
        join(artifacts.dir, 'invoke.cjs'),
        join(artifacts.taskDir(handler), 'index.js'),
        eventFile,
        answerFile,
      ],
      { cwd: artifacts.taskDir(handler), env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        let result: { answer?: unknown; error?: { name: string; message: string } };
        try {
          result = JSON.parse(readFileSync(answerFile, 'utf8')) as typeof result;
        } catch {
          reject(new Error(`${handler} bundle exited with ${code} and no answer: ${stderr}`));
          return;
        } finally {
          rmSync(eventFile, { force: true });
        }
        rmSync(answerFile, { force: true });
        if (result.error) {
          const error = new Error(result.error.message);
          error.name = result.error.name;
          reject(error);
        } else resolve(result.answer);
      });
    });
  };
}
