import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach } from 'vitest';
import { forgetKeptSendingBreakers } from '../functions/contact/sending-breakers';

// Each test is a fresh Lambda container as far as the send step's kept breakers go (functions/contact/sending-breakers.ts).
beforeEach(() => forgetKeptSendingBreakers());

// Handlers read their configuration once at import (as in Lambda). Unit tests import them with these values;
// workflow and e2e tests set their own (emulator endpoints, real names) before importing.
const defaults: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'dunning-test',
  START_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dunning-start',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:dunning',
  RULE_ID: 'standard',
  OPERATORS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dunning-operators',
  SENDER_EMAIL: 'cobranca@example.com',
  COMPANY_LEGAL_NAME: 'Exemplo Cobranças Ltda',
  COMPANY_TAX_ID: '12.345.678/0001-90',
  COMPANY_SUPPORT_CONTACT: 'financeiro@example.com',
  UNSUBSCRIBE_BASE_URL: 'https://api.example.com/v1',
  // The shipped rule (`standard`, no late fees) and one charging them (`with-fees`: 2% fine, 1% a month), by rule id.
  RULE_TERMS: JSON.stringify({
    standard: { timezone: 'America/Sao_Paulo', lastStageOffsetDays: 30 },
    'with-fees': {
      timezone: 'America/Sao_Paulo',
      lateFee: { finePercent: 2, monthlyInterestPercent: 1, fineCapPercent: 2 },
      lastStageOffsetDays: 30,
    },
  }),
  DUNNING_QUIET_LOGS: '1',
  WAIT_SCHEDULE_GROUP: 'dunning-test-waits',
  WAIT_SCHEDULE_ROLE_ARN: 'arn:aws:iam::123456789012:role/dunning-test-wait-schedules',
  // No test reaches EventBridge Scheduler: a client nobody mocked or served fails at once (port 9 is closed).
  AWS_ENDPOINT_URL_SCHEDULER: 'http://127.0.0.1:9',
};
for (const [name, value] of Object.entries(defaults)) {
  process.env[name] ??= value;
}
