import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * SES v2's account-level suppression list, which aws-ses-v2-local lacks: the list itself and its three REST
 * operations answered in front of the SES emulator.
 */

/** Why an address is on the suppression list (SES's reasons). */
export type SuppressionReason = 'BOUNCE' | 'COMPLAINT';

/** The account-level suppression list of the local SES: addresses SES would drop messages to. */
export class SuppressionList {
  private readonly entries = new Map<string, { reason: SuppressionReason; at: string }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  add(address: string, reason: SuppressionReason): void {
    this.entries.set(address.toLowerCase(), { reason, at: this.now().toISOString() });
  }

  remove(address: string): boolean {
    return this.entries.delete(address.toLowerCase());
  }

  get(address: string): { reason: SuppressionReason; at: string } | undefined {
    return this.entries.get(address.toLowerCase());
  }
}

const PREFIX = '/v2/email/suppression/addresses';

/**
 * Adds SES v2's suppression-list operations, which aws-ses-v2-local lacks, in front of its express app on the same
 * server: GetSuppressedDestination (`GET …/addresses/{EmailAddress}`: 200 or 404 NotFoundException),
 * PutSuppressedDestination (`PUT …/addresses`) and DeleteSuppressedDestination (`DELETE …/addresses/{EmailAddress}`),
 * in the REST-JSON shape the real `@aws-sdk/client-sesv2` reads. Every other request goes to the emulator as before.
 */
export function serveSuppressionList(server: Server, list: SuppressionList): void {
  const emulator = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(PREFIX)) {
      for (const listener of emulator) listener(req, res);
      return;
    }
    void answer(req, res, path, list);
  });
}

async function answer(req: IncomingMessage, res: ServerResponse, path: string, list: SuppressionList): Promise<void> {
  const address = decodeURIComponent(path.slice(PREFIX.length + 1));
  if (req.method === 'GET' && address) {
    const entry = list.get(address);
    if (!entry)
      return reply(
        res,
        404,
        { message: `Email address ${address} does not exist on your suppression list.` },
        'NotFoundException',
      );
    return reply(res, 200, {
      SuppressedDestination: {
        EmailAddress: address,
        Reason: entry.reason,
        LastUpdateTime: Math.floor(Date.parse(entry.at) / 1000),
      },
    });
  }
  if (req.method === 'DELETE' && address) {
    if (!list.remove(address)) return reply(res, 404, { message: `${address} is not suppressed` }, 'NotFoundException');
    return reply(res, 200, {});
  }
  if (req.method === 'PUT' && !address) {
    let body: { EmailAddress?: unknown; Reason?: unknown };
    try {
      body = JSON.parse(await readText(req)) as typeof body;
    } catch {
      return reply(res, 400, { message: 'The request body is not JSON' }, 'BadRequestException');
    }
    if (typeof body.EmailAddress !== 'string' || (body.Reason !== 'BOUNCE' && body.Reason !== 'COMPLAINT')) {
      return reply(
        res,
        400,
        { message: 'EmailAddress and Reason (BOUNCE or COMPLAINT) are required' },
        'BadRequestException',
      );
    }
    list.add(body.EmailAddress, body.Reason);
    return reply(res, 200, {});
  }
  reply(res, 404, { message: `No such suppression operation: ${req.method} ${path}` }, 'NotFoundException');
}

function reply(res: ServerResponse, status: number, body: object, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
