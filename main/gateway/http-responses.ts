import type { ServerResponse } from 'node:http';
import { ERROR_HTTP_STATUS, type AppError, type ErrorCode } from '../../shared/contract';

/** Writes a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** Writes `{error:{code,message}}` with the HTTP status the contract assigns to `code`. */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  const error: AppError = { code, message };
  sendJson(res, ERROR_HTTP_STATUS[code], { error }, headers);
}
