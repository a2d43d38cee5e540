import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type DunningConfig, PROJECT_ROOT } from '../../lib/config';
import type { AslDefinition } from '../stepfunctions/asl';
import type { SynthesizedWorkflow } from './synth-stack';

/**
 * The synthesized workflow cached on disk (node_modules/.cache), keyed by a hash of everything it is made from, so a
 * second start with the same config and stack sources skips the synth.
 */

export type { SynthesizedWorkflow };

/** Where synthesized workflows are cached, by a hash of everything they are made from. */
const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'dunning-synth');

/** Sources the stack is built from: a change to any of them invalidates the cache. */
const SOURCE_DIRS = ['lib', 'state-machines', 'functions/contracts'];
const SOURCE_FILES = ['functions/platform/environment.ts'];

/**
 * `synthesizeWorkflow` (./synth-stack), cached on disk (node_modules/.cache) by a hash of the config (billing rule included),
 * the stack's source files and the aws-cdk-lib version: a second start with the same inputs skips the ~5 s synth.
 */
export async function synthesizeWorkflowCached(config: DunningConfig): Promise<SynthesizedWorkflow> {
  const file = join(CACHE_DIR, `${synthInputsHash(config)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as {
      definition: AslDefinition;
      handlerByArn: [string, string][];
      handlers: string[];
    };
    return { definition: cached.definition, handlerByArn: new Map(cached.handlerByArn), handlers: cached.handlers };
  } catch {
    // not cached yet (or unreadable): synthesize
  }
  const { synthesizeWorkflow } = await import('./synth-stack');
  const synthesized = synthesizeWorkflow(config);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const text = JSON.stringify({
      definition: synthesized.definition,
      handlerByArn: [...synthesized.handlerByArn],
      handlers: synthesized.handlers,
    });
    writeFileSync(`${file}.${process.pid}.tmp`, text);
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    // a read-only node_modules only costs the next start a synth
  }
  return synthesized;
}

function synthInputsHash(config: DunningConfig): string {
  const hash = createHash('sha256');
  const { configFile: _file, ruleFilePath: _rulePath, ...settings } = config;
  hash.update(JSON.stringify(settings));
  const cdkVersion = (createRequire(import.meta.url)('aws-cdk-lib/package.json') as { version: string }).version;
  hash.update(cdkVersion);
  const files = [
    ...SOURCE_DIRS.flatMap((dir) =>
      (readdirSync(join(PROJECT_ROOT, dir), { recursive: true }) as string[])
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(dir, f)),
    ),
    ...SOURCE_FILES,
  ].sort();
  for (const f of files) hash.update(f).update(readFileSync(join(PROJECT_ROOT, f)));
  return hash.digest('hex').slice(0, 32);
}
