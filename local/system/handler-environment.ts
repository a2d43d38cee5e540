import { ruleTermsBook } from '../../functions/rules/rule-terms';
import type { DunningConfig } from '../../lib/config';
import type { ProvisionedResources } from '../emulators';

/**
 * The names of the resources the local system creates in the emulators (what the stack would create), and the
 * environment every handler reads at import (what the CDK constructs set on each function on AWS).
 */

/** Names of the local resources (what the stack would create). */
export const LOCAL_RESOURCE_NAMES = {
  table: 'dunning-local',
  bucket: 'dunning-local-drops',
  queue: 'dunning-local-start',
  topic: 'dunning-local-operators',
} as const;

/**
 * The schedule group the waits' one-time schedules are created in, and the role Scheduler would assume to call
 * SendTaskSuccess (the local scheduler takes any group and checks only the role ARN's form).
 */
export const LOCAL_WAIT_SCHEDULES = {
  groupName: 'dunning-local-waits',
  roleArn: 'arn:aws:iam::000000000000:role/dunning-local-wait-schedules',
} as const;

/** The environment every handler reads at import (what the CDK constructs set on AWS). */
export function handlerEnvironment(
  config: DunningConfig,
  resources: ProvisionedResources,
  stateMachineArn: string,
): Record<string, string> {
  return {
    TABLE_NAME: resources.tableName,
    START_QUEUE_URL: resources.queueUrl,
    STATE_MACHINE_ARN: stateMachineArn,
    RULE_ID: config.rule.id,
    RULE_SEGMENTS: config.ruleSet.rules.length > 1 ? JSON.stringify(config.ruleSet.segments) : '',
    OPERATORS_TOPIC_ARN: resources.topicArn,
    SENDER_EMAIL: config.sender.email,
    SES_CONFIGURATION_SET: '',
    SMS_SENDER_ID: config.sender.smsSenderId ?? '',
    COMPANY_LEGAL_NAME: config.company.legalName,
    COMPANY_TAX_ID: config.company.taxId,
    COMPANY_SUPPORT_CONTACT: config.company.supportContact ?? '',
    RULE_TERMS: JSON.stringify(ruleTermsBook(config.ruleSet.rules)),
    WAIT_SCHEDULE_GROUP: LOCAL_WAIT_SCHEDULES.groupName,
    WAIT_SCHEDULE_ROLE_ARN: LOCAL_WAIT_SCHEDULES.roleArn,
    DUNNING_QUIET_LOGS: '1',
  };
}
