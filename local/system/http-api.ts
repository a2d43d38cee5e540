import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { API_ROUTES, type ApiRoute } from '../../functions/contracts/api-routes';
import { closeServer, readRequestBody } from '../emulators/http-server';

/**
 * The HTTP API on localhost, as API Gateway would serve it: each request matched to its route, turned into the
 * proxy event and Lambda context the handler gets on AWS, and the handler's answer written back; `/_local/` paths
 * go to the local control routes.
 */

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

/** The routes, compiled once. */
const COMPILED_ROUTES: readonly CompiledRoute[] = API_ROUTES.map(compile);

/** The API Gateway REST proxy event (v1) the handler of `route` receives for a request. */
export function proxyEvent(request: {
  route: ApiRoute;
  path: string;
  pathParameters: Record<string, string>;
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, string>;
  body: string | null;
  sourceIp?: string;
  /** Epoch ms of the request (API Gateway's wall clock). */
  requestTimeEpoch: number;
}): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query = request.query ?? {};
  const hasParams = Object.keys(request.pathParameters).length > 0;
  return {
    resource: request.route.path,
    path: request.path,
    httpMethod: request.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length > 0 ? query : null,
    multiValueQueryStringParameters:
      Object.keys(query).length > 0 ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: hasParams ? request.pathParameters : null,
    stageVariables: null,
    body: request.body,
    isBase64Encoded: false,
    requestContext: {
      resourcePath: request.route.path,
      httpMethod: request.route.method,
      path: `/local${request.path}`,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: request.requestTimeEpoch,
      identity: { sourceIp: request.sourceIp ?? '127.0.0.1' },
    },
  } as unknown as APIGatewayProxyEvent;
}

/**
 * What a local invocation reports as its time left: Lambda's longest timeout (15 minutes), counting down in real time
 * from the call. Locally nothing stops a handler; a handler that budgets its work by the time left (the reconciler)
 * sees what the deployed function, whose timeout is 15 minutes, would.
 */
const LOCAL_TIMEOUT_MS = 15 * 60_000;

/** The Lambda context a local invocation of `functionName` gets. */
export function lambdaContext(functionName: string, awsRequestId: string = randomUUID()): Context {
  const started = Date.now();
  return {
    awsRequestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, LOCAL_TIMEOUT_MS - (Date.now() - started)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Finds the route of `method` `path`: the route and its path parameters, or why none matches (404 / 405). */
export function matchRoute(
  method: string,
  path: string,
): { route: ApiRoute; pathParameters: Record<string, string> } | { error: 'NotFound' | 'MethodNotAllowed' } {
  const matches = COMPILED_ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).filter(
    (x): x is { r: CompiledRoute; m: RegExpExecArray } => x.m !== null,
  );
  const match = matches.find((x) => x.r.route.method === method);
  if (!match) return { error: matches.length > 0 ? 'MethodNotAllowed' : 'NotFound' };
  const pathParameters = Object.fromEntries(match.r.params.map((name, i) => [name, match.m[i + 1] ?? '']));
  return { route: match.r.route, pathParameters };
}

function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message, details: [] } });
}

/** A local-only route handler (`/_local/…`): the parsed JSON body in, a status and a JSON body out. */
export type LocalControl = (
  method: string,
  url: URL,
  body: unknown,
) => Promise<{ statusCode: number; body: unknown } | undefined>;

/**
 * The HTTP API on localhost: the same routes as the API Gateway REST API, each request turned into a real API
 * Gateway proxy event for the same handler, and the handler's result written back as it is. No auth locally.
 * Paths under `/_local/` go to `control` (the local runtime's clock and status), which API Gateway does not have.
 */
export async function startHttpApi(options: {
  /** Calls the handler of a route (named by its file under functions/handlers/). */
  invoke: (handler: string, event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  control?: LocalControl;
  port?: number;
  host?: string;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void answerRequest(req, res, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => closeServer(server),
  };
}

/** What answers the requests: the handlers of the routes and the local control routes. */
interface Answerers {
  invoke: (handler: string, event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  control?: LocalControl;
}

/** One request: too large (413), a `/_local/` path, no route (404 / 405), or the handler of its route. */
async function answerRequest(req: IncomingMessage, res: ServerResponse, options: Answerers): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  res.setHeader('content-type', 'application/json; charset=utf-8');
  const body = await readRequestBody(req, MAX_BODY_BYTES);
  if (body === 'too-large') {
    res.statusCode = 413;
    res.end(errorBody('PayloadTooLarge', 'Request body is larger than 10 MB'));
    return;
  }
  if (url.pathname.startsWith('/_local/') && options.control) {
    await answerControl(options.control, method, url, body, res);
    return;
  }
  const match = matchRoute(method, url.pathname);
  if ('error' in match) {
    res.statusCode = match.error === 'MethodNotAllowed' ? 405 : 404;
    res.end(
      match.error === 'MethodNotAllowed'
        ? errorBody('MethodNotAllowed', `${method} is not allowed on ${url.pathname}`)
        : errorBody('NotFound', `No route for ${method} ${url.pathname}`),
    );
    return;
  }
  await answerRoute(options.invoke, match, req, url, body, res);
}

/** Calls the handler of the matched route with the proxy event of the request and writes its result back. */
async function answerRoute(
  invoke: Answerers['invoke'],
  match: { route: ApiRoute; pathParameters: Record<string, string> },
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  const event = proxyEvent({
    route: match.route,
    path: url.pathname,
    pathParameters: match.pathParameters,
    headers: req.headers,
    query: Object.fromEntries(url.searchParams.entries()),
    body: body.length > 0 ? body.toString('utf8') : null,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    requestTimeEpoch: Date.now(),
  });
  try {
    const result = await invoke(
      match.route.handler,
      event,
      lambdaContext(match.route.handler, event.requestContext.requestId),
    );
    res.statusCode = result.statusCode;
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
    res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  } catch (error) {
    // API Gateway answers 502 when the integration itself fails.
    res.statusCode = 502;
    res.end(errorBody('BadGateway', `The ${match.route.handler} handler failed: ${(error as Error).message}`));
  }
}

async function answerControl(
  control: LocalControl,
  method: string,
  url: URL,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  let parsed: unknown;
  try {
    parsed = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
  } catch (error) {
    res.statusCode = 400;
    res.end(errorBody('BadRequest', `Request body is not valid JSON: ${(error as Error).message}`));
    return;
  }
  try {
    const answer = await control(method, url, parsed);
    res.statusCode = answer?.statusCode ?? 404;
    res.end(
      answer ? JSON.stringify(answer.body) : errorBody('NotFound', `No local route for ${method} ${url.pathname}`),
    );
  } catch (error) {
    res.statusCode = 500;
    res.end(errorBody('InternalError', (error as Error).message));
  }
}
