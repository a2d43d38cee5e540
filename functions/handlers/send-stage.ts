import middy from '@middy/core';
import * as z from 'zod';
import type { StepResult } from '../../state-machines/step-result';
import { WorkflowRuleSchema } from '../domain/billing-rule-schema';
import { sendStage } from '../services/send-stage';
import { now } from '../shared/clock';
import { ENV, optionalEnv } from '../shared/environment';
import { companyIdentity } from '../shared/factories/company';
import { dunningTable } from '../shared/factories/dunning-table';
import { mailer } from '../shared/factories/mailer';
import { operatorsNotifier } from '../shared/factories/operators-notifier';
import { smsSender } from '../shared/factories/sms-sender';

const Input = z.object({ invoiceId: z.string().min(1), rule: WorkflowRuleSchema, stageId: z.string().min(1) });
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
