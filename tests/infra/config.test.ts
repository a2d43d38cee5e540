import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_FILE,
  InvalidDunningConfig,
  loadDunningConfig,
  PROJECT_ROOT,
  resolveConfigPath,
} from '../../lib/config';
import defaultRuleJson from '../../rules/default.json';

/** Writes files into a fresh temporary folder and returns its path. */
function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dunning-config-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const validConfig = {
  ruleFile: 'rules/my-rule.json',
  company: { legalName: 'Exemplo Cobranças Ltda', taxId: 'CNPJ 12.345.678/0001-90' },
  sender: { email: 'cobranca@example.com' },
};

function loadError(configFile: string): InvalidDunningConfig {
  try {
    loadDunningConfig(configFile);
  } catch (error) {
    if (error instanceof InvalidDunningConfig) return error;
    throw error;
  }
  throw new Error(`expected ${configFile} to be rejected`);
}

describe('the shipped config', () => {
  it('loads with the demo company, sender and the default billing rule', () => {
    // Act
    const config = loadDunningConfig(join(PROJECT_ROOT, DEFAULT_CONFIG_FILE));

    // Assess
    expect(config.company).toMatchObject({ legalName: 'Exemplo Cobranças Ltda', taxId: 'CNPJ 12.345.678/0001-90' });
    expect(config.sender.email).toBe('cobranca@example.com');
    expect(config.api).toEqual({ auth: { type: 'iam' } });
    expect(config.rule.id).toBe('standard');
    expect(config.ruleFilePath).toBe(join(PROJECT_ROOT, 'rules', 'default.json'));
  });
});

describe('loading a config', () => {
  it('resolves ruleFile next to the config file and fills the optional sections', () => {
    // Prepare
    const dir = folderWith({
      'dunning.config.json': validConfig,
      'rules/my-rule.json': { ...defaultRuleJson, id: 'mine' },
    });

    // Act
    const config = loadDunningConfig(join(dir, 'dunning.config.json'));

    // Assess
    expect(config.rule.id).toBe('mine');
    expect(config.operators).toEqual({ emails: [] });
    expect(config.api).toEqual({ auth: { type: 'iam' } });
  });

  it('names the file and every bad field', () => {
    // Prepare
    const dir = folderWith({
      'bad.json': {
        ...validConfig,
        company: { legalName: '  ', taxId: 'x' },
        sender: { email: 'not-an-email', smsSenderId: 'TOO-LONG-SENDER' },
        operators: { emails: ['ops@example.com', 'nope'] },
        api: { auth: 'none' },
        extra: true,
      },
    });

    // Act
    const error = loadError(join(dir, 'bad.json'));

    // Assess
    expect(error.message).toContain(join(dir, 'bad.json'));
    expect(error.issues.map((i) => i.path).sort()).toEqual(
      ['(root)', 'api.auth', 'company.legalName', 'operators.emails.1', 'sender.email', 'sender.smsSenderId'].sort(),
    );
    expect(error.message).toMatch(/sender\.email: must be an email address/);
    expect(error.message).toMatch(/api\.auth: must be an object: \{ "type": "iam" \} or \{ "type": "cognito"/);
  });

  it('reads the API auth setting: IAM by default (also written "iam"), or an existing Cognito user pool', () => {
    // Prepare
    const userPoolArn = 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/sa-east-1_AbCdEf123';
    const dir = folderWith({
      'legacy.json': { ...validConfig, api: { auth: 'iam' } },
      'iam.json': { ...validConfig, api: { auth: { type: 'iam' } } },
      'cognito.json': { ...validConfig, api: { auth: { type: 'cognito', userPoolArn } } },
      'scoped.json': { ...validConfig, api: { auth: { type: 'cognito', userPoolArn, scopes: ['dunning/operator'] } } },
      'rules/my-rule.json': defaultRuleJson,
    });

    // Act / Assess
    expect(loadDunningConfig(join(dir, 'legacy.json')).api).toEqual({ auth: { type: 'iam' } });
    expect(loadDunningConfig(join(dir, 'iam.json')).api).toEqual({ auth: { type: 'iam' } });
    expect(loadDunningConfig(join(dir, 'cognito.json')).api).toEqual({ auth: { type: 'cognito', userPoolArn } });
    expect(loadDunningConfig(join(dir, 'scoped.json')).api.auth).toEqual({
      type: 'cognito',
      userPoolArn,
      scopes: ['dunning/operator'],
    });
  });

  it.each([
    [{ type: 'oidc' }, 'api.auth.type', /must be "iam" \(SigV4.*\) or "cognito" \(JWTs of a Cognito user pool\)/],
    [{}, 'api.auth.type', /must be "iam" .* or "cognito"/],
    ['none', 'api.auth', /must be an object/],
    [{ type: 'cognito' }, 'api.auth.userPoolArn', /is required with "type": "cognito": the ARN of an existing/],
    [
      { type: 'cognito', userPoolArn: 'arn:aws:cognito-idp:sa-east-1:123:userpool/pool' },
      'api.auth.userPoolArn',
      /must be a Cognito user pool ARN like arn:aws:cognito-idp:us-east-1:123456789012:userpool\/us-east-1_/,
    ],
    [
      { type: 'cognito', userPoolArn: 'arn:aws:iam::123456789012:role/operators' },
      'api.auth.userPoolArn',
      /must be a Cognito user pool ARN/,
    ],
    [
      { type: 'cognito', userPoolArn: 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/us-east-1_AbCdEf123' },
      'api.auth.userPoolArn',
      /user pool id of another region/,
    ],
    [
      {
        type: 'cognito',
        userPoolArn: 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/sa-east-1_AbCdEf123',
        scopes: [],
      },
      'api.auth.scopes',
      /must list at least one scope, or be left out/,
    ],
    [
      {
        type: 'cognito',
        userPoolArn: 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/sa-east-1_AbCdEf123',
        scopes: ['dunning operator'],
      },
      'api.auth.scopes.0',
      /must be an OAuth scope like dunning\/operator/,
    ],
    [
      { type: 'iam', userPoolArn: 'arn:aws:cognito-idp:sa-east-1:123456789012:userpool/sa-east-1_AbCdEf123' },
      'api.auth',
      /Unrecognized key: "userPoolArn"/,
    ],
  ])('rejects api.auth %j naming %s and the reason', (auth, field, reason) => {
    // Prepare
    const dir = folderWith({ 'bad.json': { ...validConfig, api: { auth } } });

    // Act
    const error = loadError(join(dir, 'bad.json'));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual([field]);
    expect(error.issues[0]?.issue).toMatch(reason);
    expect(error.message).toContain(`  - ${field}: `);
  });

  it('names the rule file, and the config pointing at it, when the billing rule is invalid', () => {
    // Prepare
    const badRule = {
      ...defaultRuleJson,
      stages: [{ id: 'D0', offsetDays: 0, at: '9am', actions: [{ channel: 'email', template: 'reminder' }] }],
    };
    const dir = folderWith({ 'dunning.config.json': validConfig, 'rules/my-rule.json': badRule });

    // Act
    const error = loadError(join(dir, 'dunning.config.json'));

    // Assess
    expect(error.file).toBe(join(dir, 'rules', 'my-rule.json'));
    expect(error.message).toContain(
      `Invalid billing rule (ruleFile of ${join(dir, 'dunning.config.json')}) ${join(dir, 'rules', 'my-rule.json')}`,
    );
    expect(error.issues.some((i) => i.path === 'stages.0.at')).toBe(true);
  });

  it('says which file is missing or not JSON', () => {
    // Prepare
    const dir = folderWith({
      'broken.json': '{ "ruleFile": ',
      'no-rule.json': { ...validConfig, ruleFile: 'missing.json' },
    });

    // Act / Assess
    expect(loadError(join(dir, 'nothing.json')).message).toMatch(
      /nothing\.json:\n {2}- \(file\): cannot be read: file not found/,
    );
    expect(loadError(join(dir, 'broken.json')).message).toMatch(/broken\.json:\n {2}- \(file\): is not valid JSON/);
    expect(loadError(join(dir, 'no-rule.json')).message).toMatch(
      /missing\.json:\n {2}- \(file\): cannot be read: file not found/,
    );
  });
});

describe('choosing the config file', () => {
  it('defaults to dunning.config.json at the repository root', () => {
    expect(resolveConfigPath(undefined)).toBe(join(PROJECT_ROOT, 'dunning.config.json'));
    expect(resolveConfigPath('')).toBe(join(PROJECT_ROOT, 'dunning.config.json'));
  });

  it('takes -c config=<file> relative to the current directory, or absolute', () => {
    expect(resolveConfigPath('configs/prod.json', '/home/me/dunning')).toBe('/home/me/dunning/configs/prod.json');
    expect(resolveConfigPath('/etc/dunning.json', '/home/me')).toBe('/etc/dunning.json');
  });

  it('rejects a context value that is not a path', () => {
    expect(() => resolveConfigPath(42)).toThrow(/"config" must be a file path, got 42/);
  });
});
