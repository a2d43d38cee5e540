import { join } from 'node:path';
import { z } from 'zod';
import { readStateFile, type StateFileKind, writeStateFile } from './state-files';

/** One SMS the local SMS endpoint "delivered". */
export interface SmsMessage {
  /** E.164 */
  phoneNumber: string;
  message: string;
  messageId: string;
  /** Message attributes (e.g. `AWS.SNS.SMS.SMSType`): value by name. */
  attributes: Record<string, string>;
  /** When it was accepted (ISO-8601 UTC). */
  at: string;
}

const outboxSchema = z.array(
  z.object({
    phoneNumber: z.string(),
    message: z.string(),
    messageId: z.string(),
    attributes: z.record(z.string(), z.string()),
    at: z.string(),
  }),
);
const optOutsSchema = z.array(z.string());

/** File names inside the state directory. */
export const SMS_OUTBOX_FILE = 'sms-outbox.json';
export const SMS_OPT_OUTS_FILE = 'sms-opt-outs.json';

/**
 * E.164 as AWS SNS accepts it for SMS: `+`, a country code not starting with 0, at most 15 digits in all.
 * (AWS also rejects unknown country codes; this emulator only checks the shape.)
 */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Whether `phone` is an E.164 number (`+5511987654321`). */
export function isE164(phone: string): boolean {
  return E164.test(phone);
}

/**
 * The SMS endpoint's state: the outbox and the opted-out numbers. In memory; when `stateDir` is given, every
 * change is written to `<stateDir>/sms-outbox.json` and `<stateDir>/sms-opt-outs.json` (atomically) and both are
 * loaded back at construction, so a restart loses nothing.
 */
export class SmsStore {
  private readonly messages: SmsMessage[];
  private readonly optedOutPhones: Set<string>;

  constructor(private readonly stateDir?: string) {
    this.messages = stateDir === undefined ? [] : readJson(join(stateDir, SMS_OUTBOX_FILE), outboxSchema, []);
    this.optedOutPhones = new Set(
      stateDir === undefined ? [] : readJson(join(stateDir, SMS_OPT_OUTS_FILE), optOutsSchema, []),
    );
  }

  /** A copy of every SMS delivered, oldest first. */
  outbox(): SmsMessage[] {
    return this.messages.map((message) => ({ ...message, attributes: { ...message.attributes } }));
  }

  deliver(message: SmsMessage): void {
    this.messages.push(message);
    this.save(SMS_OUTBOX_FILE, this.messages);
  }

  isOptedOut(phone: string): boolean {
    return this.optedOutPhones.has(phone);
  }

  /** Opted-out numbers, sorted. */
  optedOut(): string[] {
    return [...this.optedOutPhones].sort();
  }

  optOut(phone: string): void {
    this.optedOutPhones.add(phone);
    this.save(SMS_OPT_OUTS_FILE, this.optedOut());
  }

  optIn(phone: string): void {
    this.optedOutPhones.delete(phone);
    this.save(SMS_OPT_OUTS_FILE, this.optedOut());
  }

  private save(fileName: string, value: unknown): void {
    if (this.stateDir === undefined) return;
    writeStateFile(this.stateDir, fileName, `${JSON.stringify(value, null, 2)}\n`);
  }
}

const SMS_STATE: StateFileKind = {
  kind: 'a valid SMS endpoint state file',
  remedy: 'delete it to start with an empty SMS state',
};

function readJson<T>(file: string, schema: z.ZodType<T>, fallback: T): T {
  return readStateFile(file, schema, SMS_STATE) ?? fallback;
}
