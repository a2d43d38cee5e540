import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { type FieldIssue, fieldIssuesFromZod } from '../domain/field-issue';
import { InvoiceNotFound, InvoiceNotOpen } from '../services/errors';
import { log } from './logger';

/** An error with an HTTP status, thrown anywhere below a handler and turned into the JSON error body in one place. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

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

/** Parses the JSON body, with clear 400s for a missing, oversized or malformed body. */
export function parseJsonBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new HttpError(400, 'BadRequest', 'Request body is required (JSON)');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new HttpError(413, 'PayloadTooLarge', `Request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'BadRequest', `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates with a zod schema; a failure is a 400 listing every field issue. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, 'ValidationError', `Invalid ${what}`, fieldIssuesFromZod(result.error));
  }
  return result.data;
}

/** The path parameter, or a 400 naming it. */
export function pathParameter(event: Pick<APIGatewayProxyEvent, 'pathParameters'>, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new HttpError(400, 'BadRequest', `Missing path parameter ${name}`);
  return decodeURIComponent(value);
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
      if (error instanceof HttpError) {
        request.response = errorResponse(error.statusCode, error.code, error.message, error.details);
      } else if (error instanceof InvoiceNotFound) {
        request.response = errorResponse(404, 'InvoiceNotFound', error.message);
      } else if (error instanceof InvoiceNotOpen) {
        request.response = errorResponse(409, 'InvoiceNotOpen', error.message);
      } else {
        log.error('unhandled API error', { error: error?.name, message: error?.message });
        request.response = errorResponse(500, 'InternalError', 'Something went wrong on our side; it was logged');
      }
    },
  };
}
