/**
 * Names of the environment variables the Lambda handlers read. The CDK constructs set them, the handlers read them
 * once at module load through `requireEnv`, and the local runtime sets them for the in-process handlers.
 */
export const ENV = {
  /** DynamoDB single table. */
  TABLE_NAME: 'TABLE_NAME',
  /** SQS queue that buffers StartExecution requests. */
  START_QUEUE_URL: 'START_QUEUE_URL',
  /** The per-invoice workflow. */
  STATE_MACHINE_ARN: 'STATE_MACHINE_ARN',
  /** Id of the (default) billing rule the state machine was built from (recorded on each invoice). */
  RULE_ID: 'RULE_ID',
  /** With several rules: the rule file's segments (JSON), which choose each invoice's rule at registration. */
  RULE_SEGMENTS: 'RULE_SEGMENTS',
  /** Operators' SNS topic (escalations, failures). */
  OPERATORS_TOPIC_ARN: 'OPERATORS_TOPIC_ARN',
  /** Verified SES identity the emails come from. */
  SENDER_EMAIL: 'SENDER_EMAIL',
  /** Optional SES configuration set name (empty = none). */
  SES_CONFIGURATION_SET: 'SES_CONFIGURATION_SET',
  /** Company legal name and tax id, named in every message. */
  COMPANY_LEGAL_NAME: 'COMPANY_LEGAL_NAME',
  COMPANY_TAX_ID: 'COMPANY_TAX_ID',
  /** Optional support contact (email or phone) shown in messages. */
  COMPANY_SUPPORT_CONTACT: 'COMPANY_SUPPORT_CONTACT',
  /** Optional SMS sender id (alphanumeric, where the country allows it). */
  SMS_SENDER_ID: 'SMS_SENDER_ID',
  /** Public base URL of the API (`https://…/v1`): emails link `<base>/unsubscribe/<token>` (List-Unsubscribe). */
  UNSUBSCRIBE_BASE_URL: 'UNSUBSCRIBE_BASE_URL',
  /**
   * The late-fee and calendar terms of each billing rule, by rule id (JSON, `ruleTermsBook` in rules/rule-terms.ts):
   * what the agreement and statement handlers need of the rules, whose stages only the workflow walks.
   */
  RULE_TERMS: 'RULE_TERMS',
  /**
   * The EventBridge Scheduler group the waits' one-time schedules are created in, and the role Scheduler assumes to
   * call `SendTaskSuccess` when one fires (functions/executions/wait-schedules.ts).
   */
  WAIT_SCHEDULE_GROUP: 'WAIT_SCHEDULE_GROUP',
  WAIT_SCHEDULE_ROLE_ARN: 'WAIT_SCHEDULE_ROLE_ARN',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Reads a required variable; throws an error naming it when missing, so a misconfigured function fails at cold start. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing environment variable ${name}: the CDK construct (or the local runtime) must set it`);
  }
  return value;
}

/** Reads an optional variable; empty string counts as unset. */
export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
