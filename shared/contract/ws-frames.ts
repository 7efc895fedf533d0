import { z } from 'zod';
import { GatewayInfoSchema } from './entities';
import { ServerEventSchema } from './events';
import { AppErrorSchema } from './result';

/** First frame on every socket: who the gateway is and the newest `seq` at connect time. */
export const HelloFrameSchema = z.object({
  type: z.literal('hello'),
  info: GatewayInfoSchema,
});

/**
 * Sent after the events a resuming client missed (`?since=`) and before live events; from here on
 * the client is current.
 */
export const CaughtUpFrameSchema = z.object({
  type: z.literal('caught_up'),
  seq: z.number().int().nonnegative(),
});

/** The requested `since` is older than the event log keeps: the client must reload its state. */
export const ResyncFrameSchema = z.object({
  type: z.literal('resync'),
  seq: z.number().int().nonnegative(),
});

/**
 * Sent to a current client at every heartbeat: every event up to `seq` went out on this socket
 * before this frame. A client whose last applied event is older lost events on the way (a proxy,
 * a broken relay) and must resume from its own cursor: a socket can never look live while it
 * delivers nothing.
 */
export const HeartbeatFrameSchema = z.object({
  type: z.literal('heartbeat'),
  seq: z.number().int().nonnegative(),
});

/** A client frame could not be understood; the socket stays open. */
export const ErrorFrameSchema = z.object({
  type: z.literal('error'),
  error: AppErrorSchema,
});

/** Every frame the gateway sends over `/ws`: events keep the original system's flat shape. */
export const ServerFrameSchema = z.union([
  ServerEventSchema,
  HelloFrameSchema,
  CaughtUpFrameSchema,
  ResyncFrameSchema,
  HeartbeatFrameSchema,
  ErrorFrameSchema,
]);

/** A frame from the gateway. */
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/**
 * Client → gateway. `resume` replays every event after `since` (only before any event was sent on
 * this socket: use `?since=` when reconnecting); `typing` and `viewing` tell the other agents what
 * this one is doing; `presence` sets away/online; `ping` keeps an idle socket busy.
 */
export const ClientFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('resume'), since: z.number().int().nonnegative() }),
  z.object({ type: z.literal('typing'), conversation_id: z.number().int().positive() }),
  z.object({ type: z.literal('viewing'), conversation_id: z.number().int().positive().nullable() }),
  z.object({ type: z.literal('presence'), state: z.enum(['online', 'away']) }),
]);

/** A frame a client may send. */
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

/** WebSocket close codes the gateway uses, with their meaning for a client. */
export const WS_CLOSE = {
  /** The gateway is shutting down; reconnect later and resume. */
  goingAway: 1001,
  /** The client sent a frame over the size limit. */
  tooLarge: 1009,
  /** The client fell too far behind (slow network or consumer): reconnect with `?since=<last seq>`. */
  resume: 4000,
  /** The token of this socket was revoked: sign in again with a valid one (the API answers 401 too). */
  revoked: 4001,
} as const;
