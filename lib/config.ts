import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { BillingRule } from '../functions/rules/billing-rule';
import { defaultRuleOf, InvalidRuleSet, parseRuleSet, type RuleSet } from '../functions/rules/rule-set';
import { type FieldIssue, fieldIssuesFromZod } from '../functions/values/field-issue';

/** Repository root (the folder holding cdk.json, functions/ and rules/). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The config file used when the `config` context value is not given. */
export const DEFAULT_CONFIG_FILE = 'dunning.config.json';

/** An SES configuration set name: letters, digits, `-` and `_`, at most 64. */
const ConfigurationSetName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be an SES configuration set name (letters, digits, - and _, 1-64)' });

/** An SMS sender id: 1-11 letters and digits, at least one letter (the carriers' rule). */
const SmsSenderId = z
  .string()
  .regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, { error: 'must be 1-11 letters and digits with at least one letter' });

const NonEmptyText = z.string({ error: 'must be a text' }).trim().min(1, { error: 'must not be empty' });

/** A Cognito user pool ARN; the pool id starts with the pool's region (`arn:aws:cognito-idp:<region>:<account>:userpool/<region>_<id>`). */
const USER_POOL_ARN =
  /^arn:aws(?:-[a-z]+)*:cognito-idp:([a-z]{2}(?:-[a-z]+)+-\d+):\d{12}:userpool\/([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;

const UserPoolArn = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required with "type": "cognito": the ARN of an existing Cognito user pool'
        : 'must be a text: the ARN of an existing Cognito user pool',
  })
  .regex(USER_POOL_ARN, {
    error:
      'must be a Cognito user pool ARN like arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123',
  })
  .refine(
    (arn) => {
      const [, region, poolRegion] = USER_POOL_ARN.exec(arn) ?? [];
      return region === poolRegion;
    },
    { error: "names a user pool id of another region than the ARN's (the id starts with its pool's region)" },
  );

/** An OAuth 2.0 scope (RFC 6749 scope-token), e.g. a resource server's `dunning/operator` or `openid`. */
const OAuthScope = z.string({ error: 'must be a text' }).regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/, {
  error: 'must be an OAuth scope like dunning/operator (1-256 printable characters, no spaces or quotes)',
});

/** The default: every non-public method requires a SigV4-signed request of an IAM principal. */
const IamAuth = z.strictObject({ type: z.literal('iam') });

/** Every non-public method requires a JWT of an existing user pool (with one of `scopes`, when given). */
const CognitoAuth = z.strictObject({
  type: z.literal('cognito'),
  userPoolArn: UserPoolArn,
  scopes: z
    .array(OAuthScope, { error: 'must be a list of OAuth scopes like ["dunning/operator"]' })
    .min(1, { error: 'must list at least one scope, or be left out (then any valid token of the pool is accepted)' })
    .refine((scopes) => new Set(scopes).size === scopes.length, { error: 'must not list a scope twice' })
    .optional(),
});

/** `api.auth`: `{ "type": "iam" }` or `{ "type": "cognito", "userPoolArn": …, "scopes"?: […] }` (`"iam"` alone is read as the first). */
export const ApiAuthSchema = z.preprocess(
  (value) => (value === 'iam' ? { type: 'iam' } : value),
  z.discriminatedUnion('type', [IamAuth, CognitoAuth], {
    error: (issue) =>
      typeof issue.input !== 'object' || issue.input === null || Array.isArray(issue.input)
        ? 'must be an object: { "type": "iam" } or { "type": "cognito", "userPoolArn": "arn:aws:cognito-idp:…" }'
        : 'must be "iam" (SigV4-signed requests of IAM principals) or "cognito" (JWTs of a Cognito user pool)',
  }),
);

/** Shape of `dunning.config.json`. */
export const DunningConfigSchema = z.strictObject({
  /** Billing rule file, relative to the config file. */
  ruleFile: NonEmptyText,
  /** Named in every message to the debtor (consumer-protection rules require it). */
  company: z.strictObject({
    legalName: NonEmptyText,
    taxId: NonEmptyText,
    supportContact: NonEmptyText.optional(),
  }),
  sender: z.strictObject({
    /** Verified SES identity (the address, or an address of a verified domain) the emails come from. */
    email: z.email({ error: 'must be an email address like cobranca@example.com' }),
    configurationSet: ConfigurationSetName.optional(),
    smsSenderId: SmsSenderId.optional(),
  }),
  operators: z
    .strictObject({
      /** Subscribed by email to the operators' topic (each confirms the subscription once). */
      emails: z.array(z.email({ error: 'must be an email address' })).default([]),
    })
    .default({ emails: [] }),
  api: z
    .strictObject({
      /** Who may call the non-public routes: IAM principals (SigV4, the default) or a Cognito user pool's users. */
      auth: ApiAuthSchema.default({ type: 'iam' }),
    })
    .default({ auth: { type: 'iam' } }),
});

export type DunningConfigFile = z.infer<typeof DunningConfigSchema>;

/** The deploy-time configuration: the config file's settings plus the billing rule(s) it names, validated. */
export interface DunningConfig extends DunningConfigFile {
  /** The default billing rule of `ruleFile` (its only rule, or the one its last segment chooses). */
  readonly rule: BillingRule;
  /** Every rule of `ruleFile` and the segments choosing one per invoice (one rule: one segment, no conditions). */
  readonly ruleSet: RuleSet;
  /** Absolute path of the config file it came from. */
  readonly configFile: string;
  /** Absolute path of the billing rule file. */
  readonly ruleFilePath: string;
}

/** A config (or the rule file it names) that cannot be read or does not validate; the message names the file and every field. */
export class InvalidDunningConfig extends Error {
  override readonly name = 'InvalidDunningConfig';
  constructor(
    readonly file: string,
    readonly issues: readonly FieldIssue[],
    what = 'config',
  ) {
    super(`Invalid ${what} ${file}:\n${issues.map((i) => `  - ${i.path}: ${i.issue}`).join('\n')}`);
  }
}

/**
 * The config file to load: the CDK context value `config` (relative to the current directory, like any CLI path),
 * else `dunning.config.json` at the repository root.
 */
export function resolveConfigPath(contextValue: unknown, cwd: string = process.cwd()): string {
  if (contextValue === undefined || contextValue === null || contextValue === '') {
    return resolve(PROJECT_ROOT, DEFAULT_CONFIG_FILE);
  }
  if (typeof contextValue !== 'string') {
    throw new Error(`The context value "config" must be a file path, got ${JSON.stringify(contextValue)}`);
  }
  return isAbsolute(contextValue) ? contextValue : resolve(cwd, contextValue);
}

/**
 * Reads and validates a config file and the billing rule it names (`ruleFile`, relative to the config file).
 * @throws InvalidDunningConfig naming the file and each bad field (`sender.email: must be an email address…`),
 *   or the rule file and each bad rule field (`stages.1.at: must be HH:MM…`).
 */
export function loadDunningConfig(configFile: string): DunningConfig {
  const file = resolve(configFile);
  const parsed = DunningConfigSchema.safeParse(readJson(file, 'config'));
  if (!parsed.success) throw new InvalidDunningConfig(file, fieldIssuesFromZod(parsed.error));

  const ruleFilePath = resolve(dirname(file), parsed.data.ruleFile);
  const ruleSet = loadRuleSet(ruleFilePath, file);
  return { ...parsed.data, rule: defaultRuleOf(ruleSet), ruleSet, configFile: file, ruleFilePath };
}

/** Reads a rule file (one billing rule, or rules and segments); errors name the rule file and the config. */
function loadRuleSet(ruleFilePath: string, configFile: string): RuleSet {
  const what = `billing rule (ruleFile of ${configFile})`;
  try {
    return parseRuleSet(readJson(ruleFilePath, what));
  } catch (error) {
    if (error instanceof InvalidRuleSet) throw new InvalidDunningConfig(ruleFilePath, error.issues, what);
    throw error;
  }
}

/** A config with another rule file's content (the simulator's `--rule`): its default rule, its rules and segments. */
export function withRuleSet(config: DunningConfig, ruleSet: RuleSet): DunningConfig {
  return { ...config, rule: defaultRuleOf(ruleSet), ruleSet };
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new InvalidDunningConfig(file, [{ path: '(file)', issue: `cannot be read: ${reason}` }], what);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidDunningConfig(
      file,
      [{ path: '(file)', issue: `is not valid JSON: ${(error as Error).message}` }],
      what,
    );
  }
}
