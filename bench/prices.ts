/**
 * Published list prices, US East (N. Virginia), on-demand, no free tier, as read on 2026-11-29. Every figure the
 * cost benchmark prints is one of these times a count it measured; change a price here and run `npm run bench` again.
 */
export const PRICES = {
  asOf: '2026-11-29',
  region: 'us-east-1',
  stepFunctions: {
    /** Standard workflows: $0.025 per 1,000 state transitions (retries count). */
    perTransition: 0.000025,
    source: 'https://aws.amazon.com/step-functions/pricing/',
  },
  lambda: {
    /** arm64 duration, first 7.5 billion GB-s a month ($0.0000166667 on x86_64). */
    perGbSecondArm64: 0.0000133334,
    perGbSecondX86: 0.0000166667,
    /** $0.20 per million requests. */
    perRequest: 0.0000002,
    /** Every function of the stack is 512 MB (lib/constructs/dunning-function.ts). */
    memoryGb: 0.5,
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodb: {
    /**
     * On-demand: $0.625 per million write request units and $0.125 per million read request units since the 50%
     * on-demand price cut of 2024-11-01 (before it: $1.25 and $0.25). A WRU writes up to 1 KB; an RRU reads up to
     * 4 KB strongly consistent (half for eventually consistent).
     */
    perWriteRequestUnit: 0.000000625,
    perReadRequestUnit: 0.000000125,
    beforeNov2024: { perWriteRequestUnit: 0.00000125, perReadRequestUnit: 0.00000025 },
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  ses: {
    /** $0.10 per 1,000 emails sent (outbound), no attachments. */
    perEmail: 0.0001,
    source: 'https://aws.amazon.com/ses/pricing/',
  },
  sns: {
    /** Publishes to a topic (the operators' escalations): $0.50 per million requests (64 KB chunks). */
    perTopicPublish: 0.0000005,
    /**
     * SMS is priced per message part and per destination country (and carrier fees), and changes often: this is an
     * ASSUMPTION, not a published price — US$0.02 per part, the order of magnitude of transactional SMS to Brazil.
     * Check https://aws.amazon.com/sns/sms-pricing/ for the destination and pass `--sms-price` to use it.
     */
    perSmsPartAssumed: 0.02,
    source: 'https://aws.amazon.com/sns/pricing/ (topics), https://aws.amazon.com/sns/sms-pricing/ (SMS)',
  },
  sqs: {
    /** Standard queue: $0.40 per million requests (64 KB chunks). */
    perRequest: 0.0000004,
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  scheduler: {
    /**
     * EventBridge Scheduler: $1.00 per million scheduled invocations (after 14 million free a month, not counted
     * here); creating, deleting and the schedules themselves are not billed.
     */
    perInvocation: 0.000001,
    source: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  apiGateway: {
    /** REST API: $3.50 per million requests (first 333 million a month). */
    perRequest: 0.0000035,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
} as const;

/** SMS parts of a text (GSM-7: 160 / 153 per part; UCS-2: 70 / 67), as the carriers count them. */
export { smsParts } from '../functions/messages/gsm7';
