import middy from '@middy/core';
import { z } from 'zod';
import type { StepResult } from '../../state-machines/step-result';
import { BillingRuleSchema } from '../domain/billing-rule';
import { sendStage } from '../services/send-stage';
import { companyIdentity, dunningTable, mailer, now, operatorsNotifier, smsSender } from '../shared/deps';
import { ENV, optionalEnv } from '../shared/environment';

const Input = z.object({ invoiceId: z.string().min(1), rule: BillingRuleSchema, stageId: z.string().min(1) });
const deps = {
  table: dunningTable(),
  mailer: mailer(),
  sms: smsSender(),
  operators: operatorsNotifier(),
  company: companyIdentity(),
  unsubscribeBaseUrl: optionalEnv(ENV.UNSUBSCRIBE_BASE_URL),
  now,
};

/** Workflow step `<stage> · send …`: policy check, then every action of the stage, each at most once. */
export const handler = middy<unknown, StepResult>().handler(async (event) => sendStage(Input.parse(event), deps));
