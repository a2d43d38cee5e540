import { JsonSchemaType, JsonSchemaVersion, type Model, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { MAX_INSTALMENTS } from '../../functions/invoices/agreement';

/** Largest batch `POST /invoices` accepts (the create-invoices handler enforces the same limit, with a 413). */
export const MAX_BATCH_SIZE = 500;

/** JSON-schema models of the request bodies, by handler name: shape only, so the handlers can name bad fields. */
export function requestModels(api: RestApi): Record<string, Model> {
  return {
    'create-invoices': api.addModel('InvoiceOrBatch', {
      modelName: 'InvoiceOrBatch',
      contentType: 'application/json',
      description: `One invoice (object) or a batch (array of 1-${MAX_BATCH_SIZE} invoices)`,
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'InvoiceOrBatch',
        type: [JsonSchemaType.OBJECT, JsonSchemaType.ARRAY],
        minItems: 1,
        maxItems: MAX_BATCH_SIZE,
        items: { type: JsonSchemaType.OBJECT },
      },
    }),
    'update-customer': api.addModel('Customer', {
      modelName: 'Customer',
      contentType: 'application/json',
      description: "A customer's name and contact details (the customer fields of an invoice record)",
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'Customer',
        type: JsonSchemaType.OBJECT,
        maxProperties: 20,
      },
    }),
    'record-opt-out': api.addModel('OptOut', {
      modelName: 'OptOut',
      contentType: 'application/json',
      description: 'A channel the debtor refuses: email or sms',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'OptOut',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        required: ['channel'],
        properties: {
          channel: { type: JsonSchemaType.STRING, enum: ['email', 'sms'] },
          source: { type: JsonSchemaType.STRING, maxLength: 256 },
        },
      },
    }),
    'change-invoice': api.addModel('InvoiceChange', {
      modelName: 'InvoiceChange',
      contentType: 'application/json',
      description: "An operator's change: the reason (pause, resume, dispute, resolve, write-off), or a promise",
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'InvoiceChange',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          reason: { type: JsonSchemaType.STRING, maxLength: 500 },
          date: { type: JsonSchemaType.STRING, maxLength: 10 },
          amount: { type: JsonSchemaType.STRING, maxLength: 40 },
        },
      },
    }),
    'create-agreement': api.addModel('Agreement', {
      modelName: 'Agreement',
      contentType: 'application/json',
      description: 'A renegotiation: 1-24 instalments, each a due date, an amount (decimal string) and a payment link',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'Agreement',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        required: ['instalments'],
        properties: {
          instalments: {
            type: JsonSchemaType.ARRAY,
            minItems: 1,
            maxItems: MAX_INSTALMENTS,
            items: {
              type: JsonSchemaType.OBJECT,
              additionalProperties: false,
              required: ['dueDate', 'amount'],
              properties: {
                dueDate: { type: JsonSchemaType.STRING, maxLength: 10 },
                amount: { type: JsonSchemaType.STRING, maxLength: 40 },
                paymentUrl: { type: JsonSchemaType.STRING, maxLength: 2048 },
              },
            },
          },
        },
      },
    }),
    'escalate-invoice': api.addModel('Escalation', {
      modelName: 'Escalation',
      contentType: 'application/json',
      description: "An operator's escalation now: the reason, and the team (collections unless named)",
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'Escalation',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          reason: { type: JsonSchemaType.STRING, maxLength: 500 },
          to: { type: JsonSchemaType.STRING, maxLength: 64 },
        },
      },
    }),
    'restart-walk': api.addModel('Restart', {
      modelName: 'Restart',
      contentType: 'application/json',
      description: "An operator's restart of a walk that should be running and is not: the reason",
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'Restart',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: { reason: { type: JsonSchemaType.STRING, maxLength: 500 } },
      },
    }),
    'record-payment': api.addModel('Payment', {
      modelName: 'Payment',
      contentType: 'application/json',
      description: 'A payment: amount as a decimal string (whole balance when omitted), paidAt ISO instant, reference',
      schema: {
        schema: JsonSchemaVersion.DRAFT4,
        title: 'Payment',
        type: JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          amount: { type: JsonSchemaType.STRING },
          paidAt: { type: JsonSchemaType.STRING },
          reference: { type: JsonSchemaType.STRING, maxLength: 256 },
        },
      },
    }),
  };
}
