import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_ROUTES, MEDIA_SIZE_LIMITS, OPERATION_NAMES, pathParameters, type HttpRoute, type OperationName } from '../../shared/contract';
import { invokeOperation, type Caller, type OperationHandlers } from '../services/operations';
import { sendError, sendJson } from './http-responses';
import { isJsonRequest, readBody } from './read-body';

/** Largest JSON body an /api call accepts. */
const MAX_API_BODY_BYTES = 64 * 1024;

/** Largest file an attachment upload accepts: WhatsApp's largest (a document); each kind's own limit is checked after. */
const MAX_FILE_BODY_BYTES = Math.max(...Object.values(MEDIA_SIZE_LIMITS));

// A file upload: the raw bytes are the request's `data`.
async function readFileBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  const body = await readBody(req, MAX_FILE_BODY_BYTES);
  if (!body.ok) {
    sendError(res, body.error.code, body.error.message, { connection: 'close' });
    return null;
  }
  return { data: body.value };
}

type CompiledRoute = { operation: OperationName; route: HttpRoute; pattern: RegExp; parameters: string[] };

// Compiled once from the contract's route table, so the gateway and the browser bridge agree.
const COMPILED_ROUTES: CompiledRoute[] = OPERATION_NAMES.map((operation) => {
  const route: HttpRoute = HTTP_ROUTES[operation];
  const source = route.path.replace(/:[a-z_]+/g, '([^/]+)');
  return { operation, route, pattern: new RegExp(`^${source}$`), parameters: pathParameters(route.path) };
});

async function readJsonObject(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  if (!isJsonRequest(req)) {
    sendError(res, 'unsupported_media_type', 'request body must be application/json');
    req.resume();
    return null;
  }
  const body = await readBody(req, MAX_API_BODY_BYTES);
  if (!body.ok) {
    sendError(res, body.error.code, body.error.message, { connection: 'close' });
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(body.value.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    sendError(res, 'bad_request', 'request body must be a JSON object');
  } catch {
    sendError(res, 'bad_request', 'request body is not valid JSON');
  }
  return null;
}

function requestFields(compiled: CompiledRoute, match: RegExpExecArray, url: URL): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const name of compiled.route.query ?? []) {
    const value = url.searchParams.get(name);
    if (value !== null) fields[name] = value;
  }
  compiled.parameters.forEach((name, index) => {
    fields[name] = decodeURIComponent(match[index + 1] ?? '');
  });
  return fields;
}

/** Routes an authenticated /api request; answers 404 or 405 for paths and methods it does not know. */
export async function handleApiRequest(req: IncomingMessage, res: ServerResponse, url: URL, handlers: OperationHandlers, caller: Caller): Promise<void> {
  const matching = COMPILED_ROUTES.flatMap((compiled) => {
    const match = compiled.pattern.exec(url.pathname);
    return match ? [{ compiled, match }] : [];
  });
  if (matching.length === 0) return sendError(res, 'not_found', `no API route ${url.pathname}`);
  const found = matching.find(({ compiled }) => compiled.route.method === req.method);
  if (!found) {
    const allowed = matching.map(({ compiled }) => compiled.route.method).join(', ');
    return sendError(res, 'method_not_allowed', `${req.method ?? '?'} is not allowed on ${url.pathname} (allowed: ${allowed})`, { allow: allowed });
  }
  const { compiled, match } = found;
  const body = compiled.route.body === 'bytes' ? await readFileBody(req, res) : compiled.route.body ? await readJsonObject(req, res) : {};
  if (body === null) return;
  // Path parameters win over body fields of the same name: the URL names the resource.
  const request = { ...body, ...requestFields(compiled, match, url) };
  const result = await invokeOperation(handlers, compiled.operation, request, caller);
  if (result.ok) sendJson(res, compiled.route.status, result.value);
  else sendError(res, result.error.code, result.error.message);
}
