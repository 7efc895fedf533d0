import { z } from 'zod';

/** Machine-readable error codes shared by IPC, HTTP and WebSocket; each maps to one HTTP status. */
export const ERROR_HTTP_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  outside_window: 422,
  internal: 500,
  upstream_error: 502,
  unavailable: 503,
} as const;

/** One of the error codes in {@link ERROR_HTTP_STATUS}. */
export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

/** Runtime schema of an error as it crosses a boundary. */
export const AppErrorSchema = z.object({
  code: z.enum(Object.keys(ERROR_HTTP_STATUS) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

/** An error as data: a stable code for programs and a sentence for people. */
export type AppError = z.infer<typeof AppErrorSchema>;

/** The outcome of every operation: errors travel as values, never as thrown exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Wraps a successful value. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Wraps an error. */
export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

/** Turns a schema failure into one readable sentence naming the first offending field. */
export function describeSchemaError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  return `${where}: ${issue.message}`;
}

/** Ends a switch over a contract union: a new member without a case becomes a type error. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
