import { describe, expect, it } from 'vitest';
import { parseFaultProfile } from '../../../../local/simulator/fault-profile';
import type { InputProblem } from '../../../../local/simulator/simulation-input';

// `dunning simulate --faults`: every field optional; every bad field is a problem naming it (docs/formats.md).

function parse(raw: unknown): { profile: ReturnType<typeof parseFaultProfile>; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  return { profile: parseFaultProfile(raw, 'faults.json', problems), problems };
}

const fields = (problems: readonly InputProblem[]) => problems.map((p) => p.field);

describe('fault profile', () => {
  it('reads a full profile as written', () => {
    const raw = {
      seed: 7,
      quotas: { email: { perSecond: 14, perDay: 50_000 }, sms: { perSecond: 20 } },
      lambdaConcurrency: 10,
      faults: [
        { call: 'ses:SendEmail', kind: 'throttle', rate: 0.05 },
        { call: 'sns:Publish', kind: 'reset-after-accept', rate: 0.01 },
        { call: 'lambda:send-stage', kind: 'crash-after-send', rate: 0.02 },
        { call: 'lambda:*', kind: '5xx', rate: 0 },
        { call: 'sfn:SendTaskSuccess', kind: 'throttle', rate: 1 },
      ],
    };
    const { profile, problems } = parse(raw);
    expect(problems).toEqual([]);
    expect(profile).toEqual(raw);
  });

  it('takes an empty object: seed 0, no quota, no fault', () => {
    expect(parse({})).toEqual({ profile: { seed: 0, quotas: {}, faults: [] }, problems: [] });
  });

  it('names an unknown field at any depth', () => {
    const { profile, problems } = parse({
      seeds: 1,
      quotas: { email: { perMinute: 3 }, push: {} },
      faults: [{ call: 'ses:SendEmail', kind: 'throttle', rate: 0.1, when: 'always' }],
    });
    expect(profile).toBeUndefined();
    expect(fields(problems)).toEqual(['seeds', 'quotas.push', 'quotas.email.perMinute', 'faults[0].when']);
    expect(problems.every((p) => p.issue.startsWith('unknown field'))).toBe(true);
  });

  it('names an unknown call, handler or kind, and a kind the call cannot take', () => {
    const { problems } = parse({
      faults: [
        { call: 'ses:SendRawEmail', kind: 'throttle' },
        { call: 'lambda:no-such-handler', kind: 'throttle' },
        { call: 'ses:SendEmail', kind: 'timeout' },
        { call: 'lambda:send-stage', kind: 'reset-after-accept' },
        { call: 'sqs:SendMessageBatch', kind: 'crash-after-send' },
        { kind: 'throttle' },
      ],
    });
    expect(fields(problems)).toEqual([
      'faults[0].call',
      'faults[1].call',
      'faults[2].kind',
      'faults[3].kind',
      'faults[4].kind',
      'faults[5].call',
    ]);
    expect(problems[0]?.issue).toContain('unknown call "ses:SendRawEmail"');
    expect(problems[1]?.issue).toContain('unknown handler "no-such-handler"');
    expect(problems[2]?.issue).toContain('unknown kind "timeout"');
    expect(problems[3]?.issue).toContain('reset-after-accept does not apply to lambda:send-stage');
    expect(problems[5]?.issue).toContain('is required');
  });

  it('takes scheduler:CreateSchedule throttles and 5xx, and nothing else for it', () => {
    const faults = [
      { call: 'scheduler:CreateSchedule', kind: 'throttle', rate: 0.3 },
      { call: 'scheduler:CreateSchedule', kind: '5xx', rate: 0.1 },
    ];
    expect(parse({ faults })).toEqual({ profile: { seed: 0, quotas: {}, faults }, problems: [] });
    const { profile, problems } = parse({
      faults: [
        { call: 'scheduler:CreateSchedule', kind: 'reset-after-accept' },
        { call: 'scheduler:CreateSchedule', kind: 'crash-after-send' },
        { call: 'scheduler:DeleteSchedule', kind: 'throttle' },
      ],
    });
    expect(profile).toBeUndefined();
    expect(fields(problems)).toEqual(['faults[0].kind', 'faults[1].kind', 'faults[2].call']);
    expect(problems[0]?.issue).toBe(
      'reset-after-accept does not apply to scheduler:CreateSchedule (it takes throttle, 5xx)',
    );
    expect(problems[2]?.issue).toContain('scheduler:CreateSchedule');
  });

  it('names a rate outside 0..1 and a rate that is not a number', () => {
    const { problems } = parse({
      faults: [
        { call: 'ses:SendEmail', kind: 'throttle', rate: 1.5 },
        { call: 'ses:SendEmail', kind: 'throttle', rate: -0.1 },
        { call: 'ses:SendEmail', kind: 'throttle', rate: '0.5' },
      ],
    });
    expect(fields(problems)).toEqual(['faults[0].rate', 'faults[1].rate', 'faults[2].rate']);
    expect(problems.every((p) => p.issue.includes('from 0 to 1'))).toBe(true);
  });

  it('names a quota, a concurrency or a seed that is not a whole number in range', () => {
    const { problems } = parse({
      seed: 1.5,
      quotas: { email: { perSecond: 0, perDay: 'lots' }, sms: { perSecond: 2.5 } },
      lambdaConcurrency: -1,
      faults: {},
    });
    expect(fields(problems)).toEqual([
      'seed',
      'quotas.email.perSecond',
      'quotas.email.perDay',
      'quotas.sms.perSecond',
      'lambdaConcurrency',
      'faults',
    ]);
  });

  it('refuses a file that is not an object', () => {
    const { problems } = parse([1, 2]);
    expect(problems).toEqual([{ file: 'faults.json', line: 0, field: '(file)', issue: 'must be a JSON object' }]);
  });
});
