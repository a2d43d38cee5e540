import { type LocalControl, startHttpApi } from '../../local/system/http-api';
import { localControl, type Pace } from '../../local/system/local-control';
import { LocalSystem, type LocalSystemOptions } from '../../local/system/system';

/** Calling the local HTTP API (local/system/http-api.ts) from e2e tests. */

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, each asserted field by field
export type Json = any;

/** One JSON request to the API at `baseUrl`; the status and the parsed body (null when empty). */
export async function callApi(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/**
 * The local system behind its HTTP API, started as `npm start` starts them: the API listens first, so its URL goes
 * into the emails' unsubscribe links; the clock stands still (speed 0) until a test moves it through the control
 * route; the background work (drop folder and bucket, start queue) runs.
 */
export async function startSystemWithApi(
  options: Omit<LocalSystemOptions, 'publicApiUrl'>,
): Promise<{ system: LocalSystem; api: { url: string; close(): Promise<void> } }> {
  const pace: Pace = { speed: 0 };
  let ready: { system: LocalSystem; control: LocalControl } | undefined;
  const notReady = () => Promise.reject(new Error('the local system is still starting'));
  const api = await startHttpApi({
    invoke: (handler, event) => (ready ? ready.system.invokeApi(handler, event) : notReady()),
    control: (method, url, body) => (ready ? ready.control(method, url, body) : notReady()),
  });
  try {
    const system = await LocalSystem.start({ ...options, publicApiUrl: api.url });
    ready = { system, control: localControl(system, pace) };
    system.startBackground({ intervalMs: 50 });
    return { system, api };
  } catch (error) {
    await api.close();
    throw error;
  }
}
