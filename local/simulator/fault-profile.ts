import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/config';
import {
  FAULT_KINDS,
  type FaultCall,
  type FaultKind,
  type FaultProfile,
  type FaultRule,
  SERVICE_CALLS,
} from '../emulators/fault-plane';
import type { InputProblem } from './simulation-input';

/**
 * Reading `dunning simulate --faults <faults.json>` (docs/formats.md "Fault profiles"): every field optional; an
 * unknown field, call or kind, a rate outside 0..1 or a quota that is not a whole number ≥ 1 is a problem naming the
 * field (`faults[2].rate`, `quotas.email.perDay`).
 */

/**
 * Which kinds each call can be given: a Lambda has no provider answer to reset, a service call no runtime to crash;
 * a CreateSchedule is refused (throttled, 5xx), its lost answers are not modelled.
 */
function kindsOf(call: FaultCall): readonly FaultKind[] {
  if (call.startsWith('lambda:')) return ['throttle', '5xx', 'crash-after-send'];
  if (call === 'ses:SendEmail' || call === 'sns:Publish') return FAULT_KINDS;
  if (call === 'scheduler:CreateSchedule') return ['throttle', '5xx'];
  return ['throttle', '5xx', 'reset-after-accept'];
}

const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** Reads and checks a fault profile file; problems go to `problems` (then the answer is undefined). */
export function readFaultProfile(file: string, problems: InputProblem[]): FaultProfile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message;
    problems.push({ file, line: 0, field: '(file)', issue: why });
    return undefined;
  }
  return parseFaultProfile(raw, file, problems);
}

/** Checks a parsed fault profile (see {@link readFaultProfile}). */
export function parseFaultProfile(raw: unknown, file: string, problems: InputProblem[]): FaultProfile | undefined {
  const before = problems.length;
  const problem = (field: string, issue: string) => problems.push({ file, line: 0, field, issue });
  const root = objectAt(raw, '(file)', problem, ['seed', 'quotas', 'lambdaConcurrency', 'faults']);
  if (!root) return undefined;

  const seed = root.seed === undefined ? 0 : root.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
    problem('seed', `must be a whole number from 0 to 4294967295, got ${JSON.stringify(seed)}`);
  }
  const quotas: { email?: { perSecond?: number; perDay?: number }; sms?: { perSecond?: number } } = {};
  const quotasRaw = root.quotas === undefined ? {} : objectAt(root.quotas, 'quotas', problem, ['email', 'sms']);
  if (quotasRaw?.email !== undefined) {
    const email = objectAt(quotasRaw.email, 'quotas.email', problem, ['perSecond', 'perDay']);
    if (email) {
      quotas.email = {};
      const perSecond = wholeAtLeastOne(email.perSecond, 'quotas.email.perSecond', problem);
      const perDay = wholeAtLeastOne(email.perDay, 'quotas.email.perDay', problem);
      if (perSecond !== undefined) quotas.email.perSecond = perSecond;
      if (perDay !== undefined) quotas.email.perDay = perDay;
    }
  }
  if (quotasRaw?.sms !== undefined) {
    const sms = objectAt(quotasRaw.sms, 'quotas.sms', problem, ['perSecond']);
    const perSecond = sms ? wholeAtLeastOne(sms.perSecond, 'quotas.sms.perSecond', problem) : undefined;
    if (perSecond !== undefined) quotas.sms = { perSecond };
  }
  const lambdaConcurrency = wholeAtLeastOne(root.lambdaConcurrency, 'lambdaConcurrency', problem);

  const faults: FaultRule[] = [];
  if (root.faults !== undefined && !Array.isArray(root.faults)) {
    problem('faults', 'must be an array of { "call", "kind", "rate" }');
  }
  const list: unknown[] = Array.isArray(root.faults) ? root.faults : [];
  list.forEach((item, index) => {
    const at = `faults[${index}]`;
    const fault = objectAt(item, at, problem, ['call', 'kind', 'rate']);
    if (!fault) return;
    const call = readCall(fault.call, `${at}.call`, problem);
    const kind = fault.kind;
    if (kind === undefined) problem(`${at}.kind`, `is required: one of ${FAULT_KINDS.join(', ')}`);
    else if (!FAULT_KINDS.includes(kind as FaultKind)) {
      problem(`${at}.kind`, `unknown kind ${JSON.stringify(kind)}: one of ${FAULT_KINDS.join(', ')}`);
    } else if (call !== undefined && !kindsOf(call).includes(kind as FaultKind)) {
      problem(`${at}.kind`, `${kind} does not apply to ${call} (it takes ${kindsOf(call).join(', ')})`);
    }
    const rate = fault.rate === undefined ? 1 : fault.rate;
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      problem(`${at}.rate`, `must be a number from 0 to 1, got ${JSON.stringify(rate)}`);
    }
    if (call !== undefined && typeof rate === 'number') faults.push({ call, kind: kind as FaultKind, rate });
  });
  if (problems.length > before) return undefined;
  return {
    seed: seed as number,
    quotas,
    ...(lambdaConcurrency === undefined ? {} : { lambdaConcurrency }),
    faults,
  };
}

/** The `lambda:<handler>` calls of a profile (without `lambda:*`), as handler names. */
export function lambdaHandlersNamed(profile: FaultProfile): string[] {
  return profile.faults.flatMap((f) =>
    f.call.startsWith('lambda:') && f.call !== 'lambda:*' ? [f.call.slice(7)] : [],
  );
}

function readCall(
  value: unknown,
  field: string,
  problem: (field: string, issue: string) => void,
): FaultCall | undefined {
  const known = `${SERVICE_CALLS.join(', ')}, lambda:<handler> or lambda:*`;
  if (value === undefined) {
    problem(field, `is required: one of ${known}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problem(field, `must be a string: one of ${known}`);
    return undefined;
  }
  if ((SERVICE_CALLS as readonly string[]).includes(value) || value === 'lambda:*') return value as FaultCall;
  if (value.startsWith('lambda:')) {
    const handler = value.slice('lambda:'.length);
    if (/^[a-z0-9-]+$/.test(handler) && existsSync(join(HANDLERS_DIR, `${handler}.ts`))) return value as FaultCall;
    problem(field, `unknown handler ${JSON.stringify(handler)}: a file name under functions/handlers/, or *`);
    return undefined;
  }
  problem(field, `unknown call ${JSON.stringify(value)}: one of ${known}`);
  return undefined;
}

function objectAt(
  value: unknown,
  field: string,
  problem: (field: string, issue: string) => void,
  allowed: readonly string[],
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problem(field, 'must be a JSON object');
    return undefined;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      const path = field === '(file)' ? key : `${field}.${key}`;
      problem(path, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }
  return record;
}

function wholeAtLeastOne(
  value: unknown,
  field: string,
  problem: (field: string, issue: string) => void,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    problem(field, `must be a whole number ≥ 1, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}
