import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

/**
 * The AWS SDK packages the Lambda handlers import. Their bundles leave the SDK out (`SDK_EXTERNAL_MODULES`) and
 * the AWS SDK layer serves these packages, with everything they depend on, at the exact versions `npm ci`
 * installed here — the versions the tests ran — instead of whichever SDK the Lambda runtime happens to ship.
 */
export const SDK_LAYER_PACKAGES: readonly string[] = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-s3',
  '@aws-sdk/client-scheduler',
  '@aws-sdk/client-sesv2',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@aws-sdk/lib-dynamodb',
];

/** What the Lambda bundles leave out, for the layer to serve (esbuild `--external` patterns). */
export const SDK_EXTERNAL_MODULES: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/** A package of the layer: its name, where npm installed it, and its path under `node_modules`. */
export interface LayerPackage {
  readonly name: string;
  readonly dir: string;
  /** e.g. `@smithy/types` or `@aws-sdk/client-s3/node_modules/@smithy/types` (a nested copy npm installed). */
  readonly pathInNodeModules: string;
}

interface PackageManifest {
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/**
 * Where Node's `require(name)` finds a package from inside `fromDir`: the `node_modules` of `fromDir` and of each
 * parent folder (skipping folders that are themselves `node_modules`), up to `root`.
 */
function findPackage(name: string, fromDir: string, root: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) return candidate;
    }
    if (dir === root) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The packages `roots` need at run time, as npm installed them under `projectRoot/node_modules`: the roots and,
 * transitively, their dependencies, optional dependencies that are installed and peer dependencies (resolved the
 * way Node resolves them, so a nested copy is kept where npm nested it). Sorted by path. Throws naming the
 * package when a required dependency is not installed.
 */
export function sdkLayerPackages(projectRoot: string, roots: readonly string[] = SDK_LAYER_PACKAGES): LayerPackage[] {
  const nodeModules = join(projectRoot, 'node_modules');
  const found = new Map<string, LayerPackage>();
  const pending: { name: string; from: string; requiredBy: string; optional: boolean }[] = roots.map((name) => ({
    name,
    from: projectRoot,
    requiredBy: 'the Lambda handlers',
    optional: false,
  }));
  for (let next = pending.pop(); next; next = pending.pop()) {
    const dir = findPackage(next.name, next.from, projectRoot);
    if (!dir) {
      if (next.optional) continue;
      throw new Error(
        `AWS SDK layer: package "${next.name}" (needed by ${next.requiredBy}) is not installed under ${nodeModules}; run npm ci`,
      );
    }
    if (found.has(dir)) continue;
    const pathInNodeModules = relative(nodeModules, dir).split(sep).join('/');
    found.set(dir, { name: next.name, dir, pathInNodeModules });
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
    const need = (deps: Record<string, string> | undefined, optional: (name: string) => boolean) => {
      for (const name of Object.keys(deps ?? {}))
        pending.push({ name, from: dir, requiredBy: next.name, optional: optional(name) });
    };
    need(manifest.dependencies, () => false);
    need(manifest.optionalDependencies, () => true);
    need(manifest.peerDependencies, (name) => manifest.peerDependenciesMeta?.[name]?.optional === true);
  }
  return [...found.values()].sort((a, b) => a.pathInNodeModules.localeCompare(b.pathInNodeModules));
}

/**
 * Files of an installed package the layer leaves out: nested `node_modules` (copied as packages of their own
 * when needed), type declarations, ES-module builds (the bundles are CommonJS and `require` the `dist-cjs`
 * build), source maps and documentation.
 */
function isLeftOut(pathInPackage: string): boolean {
  const [top] = pathInPackage.split(sep);
  if (top === 'node_modules' || top === 'dist-types' || top === 'dist-es') return true;
  return /\.(d\.ts|d\.cts|d\.mts|map|md)$/i.test(pathInPackage);
}

/**
 * Writes the layer's content under `outputDir`: `nodejs/node_modules/<package>` for each package the SDK layer
 * serves (Lambda puts `/opt/nodejs/node_modules` on `NODE_PATH`, ahead of the runtime's own SDK). Returns the
 * packages copied.
 */
export function writeSdkLayer(projectRoot: string, outputDir: string): LayerPackage[] {
  const target = join(outputDir, 'nodejs', 'node_modules');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const packages = sdkLayerPackages(projectRoot);
  for (const pkg of packages) {
    cpSync(pkg.dir, join(target, ...pkg.pathInNodeModules.split('/')), {
      recursive: true,
      filter: (source) => source === pkg.dir || !isLeftOut(relative(pkg.dir, source)),
    });
  }
  return packages;
}
