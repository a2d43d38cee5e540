import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The small HTTP plumbing every local server shares: listen on the loopback address only, know its base URL, close
 * it with its open connections.
 */

/** Loopback address every emulator listens on: nothing is reachable from outside the machine. */
export const LOOPBACK = '127.0.0.1';

/**
 * Starts `server` listening on 127.0.0.1 and resolves with its base URL (`http://127.0.0.1:<port>`).
 * `port` 0 (the default) lets the OS pick a free port. Rejects with the listen error (e.g. EADDRINUSE) naming the
 * emulator, instead of leaving a server that never listens.
 */
export function listenOnLoopback(server: Server, name: string, port = 0): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new Error(`${name} emulator could not listen on ${LOOPBACK}:${port}: ${error.message}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, LOOPBACK, () => {
      server.off('error', onError);
      resolve(baseUrlOf(server));
    });
  });
}

/** `http://127.0.0.1:<port>` of a listening server. */
export function baseUrlOf(server: Server): string {
  const address = server.address() as AddressInfo | null;
  if (address === null) throw new Error('the server is not listening');
  return `http://${LOOPBACK}:${address.port}`;
}

/**
 * Closes `server` and resolves once it no longer holds its port. Idle keep-alive sockets (the AWS SDK keeps them)
 * are dropped first, otherwise `close` would wait for them to time out.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
    server.closeAllConnections();
  });
}

/**
 * Reads a request's whole body, at most `maxBytes` of it: 'too-large' as soon as it goes beyond (the caller answers in
 * its protocol's words), else the bytes.
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
