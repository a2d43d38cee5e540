/** Calling the local HTTP API (local/http-api.ts) from e2e tests. */

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
