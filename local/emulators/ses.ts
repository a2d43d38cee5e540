import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { FaultPlane } from './fault-plane';
import { closeServer, LOOPBACK } from './http-server';
import { serveSesFaults } from './ses-faults';
import { SuppressionList, serveSuppressionList } from './ses-suppression';

/**
 * SES for the local system: aws-ses-v2-local on 127.0.0.1 (its web mailbox included), the emails it captured read
 * back as sent, and the suppression list in front of it.
 */

// aws-ses-v2-local is CommonJS with `exports.default = server`: require it so every loader (tsx, vitest, plain node)
// sees the same shape.
const sesLocal = createRequire(import.meta.url)('aws-ses-v2-local') as typeof import('aws-ses-v2-local');

/** One email the SES emulator accepted, as `mailbox()` returns it. */
export interface CapturedEmail {
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html?: string;
  text?: string;
  /** Custom headers sent with `Content.Simple.Headers` (e.g. List-Unsubscribe). */
  headers: { name: string; value: string }[];
  /** When the emulator received it (ISO-8601 UTC, whole seconds: the emulator keeps epoch seconds). */
  at: string;
}

/** The part of the emulator's `GET /store` answer we read. */
const storeSchema = z.object({
  emails: z.array(
    z.object({
      messageId: z.string(),
      from: z.string(),
      replyTo: z.array(z.string()).default([]),
      destination: z.object({
        to: z.array(z.string()).default([]),
        cc: z.array(z.string()).default([]),
        bcc: z.array(z.string()).default([]),
      }),
      subject: z.string(),
      body: z.object({ html: z.string().optional(), text: z.string().optional() }),
      headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
      at: z.number(),
    }),
  ),
});

/** A running SES v2 emulator. */
export interface SesEmulator {
  /** `http://127.0.0.1:<port>`; its web mailbox is at this URL too. */
  readonly url: string;
  /** Every email received since start (or the last `clearMailbox`), oldest first. */
  mailbox(): Promise<CapturedEmail[]>;
  /** Empties the mailbox (and the emulator's stored templates). */
  clearMailbox(): Promise<void>;
  /** The account-level suppression list (what a bounce or complaint adds to on AWS). */
  readonly suppressionList: SuppressionList;
  stop(): Promise<void>;
}

/**
 * Starts aws-ses-v2-local (SES v1 + v2 over HTTP, with its web mailbox) on 127.0.0.1.
 * It needs no verified sender identity. Its mailbox lives in memory and is shared by every instance in the
 * same process (the package keeps it in a module-level store). The suppression-list operations, which the package
 * lacks, are answered in front of it (ses-suppression.ts).
 * @param options.port port to listen on; 0 = any free port.
 * @param options.faults a simulation's fault plane: SendEmail then meets its faults and quotas, and what is accepted
 * goes into its outbox (ses-faults.ts).
 */
export async function startSes(options: {
  port?: number | undefined;
  now?: () => Date;
  faults?: FaultPlane | undefined;
}): Promise<SesEmulator> {
  const port = options.port ?? 0;
  let server: Server;
  try {
    server = await sesLocal.default({ host: LOOPBACK, port });
  } catch (error) {
    throw new Error(`SES (aws-ses-v2-local) emulator could not listen on ${LOOPBACK}:${port}`, { cause: error });
  }
  if (!server.listening) {
    // Express reports a listen error (e.g. EADDRINUSE) through the callback it resolves with: detect it here.
    await closeServer(server);
    throw new Error(`SES (aws-ses-v2-local) emulator could not listen on ${LOOPBACK}:${port} (port in use?)`);
  }
  const address = server.address();
  const url = `http://${LOOPBACK}:${typeof address === 'object' && address !== null ? address.port : port}`;
  const suppressionList = new SuppressionList(options.now);
  serveSuppressionList(server, suppressionList);
  if (options.faults) serveSesFaults(server, options.faults);

  return {
    url,
    suppressionList,
    async mailbox() {
      const response = await fetch(`${url}/store`);
      if (!response.ok) throw new Error(`SES emulator GET /store answered HTTP ${response.status}`);
      const store = storeSchema.parse(await response.json());
      return store.emails.map(toCapturedEmail);
    },
    async clearMailbox() {
      const response = await fetch(`${url}/clear-store`, { method: 'POST' });
      if (!response.ok) throw new Error(`SES emulator POST /clear-store answered HTTP ${response.status}`);
    },
    stop: () => closeServer(server),
  };
}

function toCapturedEmail(email: z.infer<typeof storeSchema>['emails'][number]): CapturedEmail {
  return {
    messageId: email.messageId,
    from: email.from,
    to: email.destination.to,
    cc: email.destination.cc,
    bcc: email.destination.bcc,
    replyTo: email.replyTo,
    subject: email.subject,
    ...(email.body.html === undefined ? {} : { html: email.body.html }),
    ...(email.body.text === undefined ? {} : { text: email.body.text }),
    headers: email.headers ?? [],
    at: new Date(email.at * 1000).toISOString(),
  };
}
