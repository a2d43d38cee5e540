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
    DUNNING_QUIET_LOGS: '1',
  };
}
