import { TextDecoder } from 'node:util';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { ApiError, HttpError } from '../contracts/errors';
import { type FieldIssue, fieldIssuesFromZod } from '../values/field-issue';
import { log } from './logger';

/** Maximum accepted request body (bytes). API Gateway allows 10 MB; a batch of 500 invoices is far below this. */
export const MAX_BODY_BYTES = 1_000_000;

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** Error body of every API error: `{ "error": { "code", "message", "details": [{ "path", "issue" }] } }`. */
export function errorResponse(statusCode: number, code: string, message: string, details: readonly FieldIssue[] = []) {
  return jsonResponse(statusCode, { error: { code, message, details } });
}

/**
 * Parses the JSON body, with clear errors naming `(body)`: 400 for a missing, non-UTF-8 or malformed body, 413 for one
 * over MAX_BODY_BYTES. The size is checked before anything is decoded or parsed; a leading byte-order mark is ignored.
 */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  const body = event.body;
  if (body === null || body === undefined || body === '') {
    throw bodyError(400, 'BadRequest', 'Request body is required (JSON)', 'is required');
  }
  // A UTF-16 unit is at least one byte of UTF-8, so a longer string is too large without counting its bytes.
  const size = event.isBase64Encoded
    ? Buffer.byteLength(body, 'base64')
    : body.length > MAX_BODY_BYTES
      ? body.length
      : Buffer.byteLength(body, 'utf8');
  if (size > MAX_BODY_BYTES) {
    throw bodyError(
      413,
      'PayloadTooLarge',
      `Request body is larger than ${MAX_BODY_BYTES} bytes`,
      `is larger than ${MAX_BODY_BYTES} bytes`,
    );
  }
  let text = body;
  if (event.isBase64Encoded) {
    try {
      text = strictUtf8.decode(Buffer.from(body, 'base64'));
    } catch {
      throw bodyError(400, 'BadRequest', 'Request body is not valid UTF-8', 'is not valid UTF-8');
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = truncate((error as Error).message, 160);
    throw bodyError(400, 'BadRequest', `Request body is not valid JSON: ${reason}`, `is not valid JSON: ${reason}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function bodyError(statusCode: number, code: string, message: string, issue: string): HttpError {
  return new HttpError(statusCode, code, message, [{ path: '(body)', issue }]);
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/** Validates with a zod schema; a failure is a 400 listing every field issue. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, 'ValidationError', `Invalid ${what}`, fieldIssuesFromZod(result.error));
  }
  return result.data;
}

/**
 * The path parameter, percent-decoded and, with `check`, validated (the check may normalise it). Missing, badly
 * encoded or invalid, it is a 400 whose details name the parameter.
 */
export function pathParameter(
  event: Pick<APIGatewayProxyEvent, 'pathParameters'>,
  name: string,
  check?: (value: string) => { value: string } | { issue: string },
): string {
  const raw = event.pathParameters?.[name];
  if (raw === undefined || raw === null || raw === '') {
    throw new HttpError(400, 'BadRequest', `Missing path parameter ${name}`, [{ path: name, issue: 'is required' }]);
  }
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'BadRequest', `Path parameter ${name} is not valid percent-encoding`, [
      { path: name, issue: `is not valid percent-encoded UTF-8: ${JSON.stringify(truncate(raw, 40))}` },
    ]);
  }
  if (!check) return value;
  const checked = check(value);
  if ('issue' in checked) {
    throw new HttpError(400, 'ValidationError', `Invalid path parameter ${name}`, [
      { path: name, issue: checked.issue },
    ]);
  }
  return checked.value;
}

/**
 * Middy middleware (use it first, so its onError runs last): typed errors become JSON error responses; anything
 * unexpected becomes a 500 whose body reveals nothing internal, and is logged by name (never with request data).
 */
export function httpErrors(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    name: 'httpErrors',
    onError: (request) => {
      const error = request.error;
      if (error instanceof ApiError) {
        request.response = errorResponse(error.statusCode, error.code, error.message, error.details);
      } else {
        // By name and route only: a message may echo request data (an address, a name) or a provider's answer.
        log.error('unhandled API error', {
          error: error?.name ?? 'Error',
          route: `${request.event?.httpMethod} ${request.event?.resource}`,
          requestId: request.event?.requestContext?.requestId,
        });
        request.response = errorResponse(500, 'InternalError', 'Something went wrong on our side; it was logged');
      }
    },
  };
}
