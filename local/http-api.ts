import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_ROUTES, type ApiRoute } from '../functions/shared/api-routes';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Largest body the local API accepts, like API Gateway's 10 MB payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  readonly route: ApiRoute;
  readonly pattern: RegExp;
  readonly params: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}/?$`), params };
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, details: [] } });
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The HTTP API on localhost: the same routes as the API Gateway REST API, each request turned into a real API
 * Gateway proxy event for the same handler, and the handler's result written back as it is. No auth locally.
 */
export async function startHttpApi(options: {
  handlers: Readonly<Record<string, ProxyHandler>>;
  port?: number;
  host?: string;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const routes = API_ROUTES.map(compile);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const matches = routes
        .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
        .filter((x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null);
      const match = matches.find((x) => x.r.route.method === method);
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (!match) {
        res.statusCode = matches.length > 0 ? 405 : 404;
        res.end(
          matches.length > 0
            ? errorBody('MethodNotAllowed', `${method} is not allowed on ${url.pathname}`)
            : errorBody('NotFound', `No route for ${method} ${url.pathname}`),
        );
        return;
      }
      const handler = options.handlers[match.r.route.handler];
      if (!handler) {
        res.statusCode = 500;
        res.end(errorBody('InternalError', `No local handler for ${match.r.route.handler}`));
        return;
      }
      const body = await readBody(req);
      if (body === 'too-large') {
        res.statusCode = 413;
        res.end(errorBody('PayloadTooLarge', 'Request body is larger than 10 MB'));
        return;
      }
      const pathParameters = Object.fromEntries(match.r.params.map((name, i) => [name, match.m[i + 1] ?? '']));
      const headers: Record<string, string> = {};
      const multiValueHeaders: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined) continue;
        const values = Array.isArray(value) ? value : [value];
        headers[name] = values.join(',');
        multiValueHeaders[name] = values;
      }
      const query = Object.fromEntries(url.searchParams.entries());
      const requestId = randomUUID();
      const event = {
        resource: match.r.route.path,
        path: url.pathname,
        httpMethod: method,
        headers,
        multiValueHeaders,
        queryStringParameters: Object.keys(query).length > 0 ? query : null,
        multiValueQueryStringParameters: null,
        pathParameters: match.r.params.length > 0 ? pathParameters : null,
        stageVariables: null,
        body: body.length > 0 ? body.toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: {
          resourcePath: match.r.route.path,
          httpMethod: method,
          path: `/local${url.pathname}`,
          stage: 'local',
          requestId,
          requestTimeEpoch: Date.now(),
          identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
        },
      } as unknown as APIGatewayProxyEvent;
      const context = {
        awsRequestId: requestId,
        functionName: match.r.route.handler,
        getRemainingTimeInMillis: () => 29_000,
      } as unknown as Context;
      try {
        const result = await handler(event, context);
        res.statusCode = result.statusCode;
        for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
        res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      } catch (error) {
        // API Gateway answers 502 when the integration itself fails.
        res.statusCode = 502;
        res.end(errorBody('BadGateway', `The ${match.r.route.handler} handler failed: ${(error as Error).message}`));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
