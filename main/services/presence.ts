import { fail, ok, type PresenceState, type Result, type ServerEvent, type Team, type UnsequencedEvent } from '../../shared/contract';
import type { Store } from '../store';
import type { EventBus } from './event-bus';

/** How long typing and viewing last without a refresh. */
export type PresenceTtl = { typingMs: number; viewingMs: number };

/** Defaults: typing fades 6 s after the last keystroke report, viewing 20 s after the last refresh. */
export const DEFAULT_PRESENCE_TTL: PresenceTtl = { typingMs: 6_000, viewingMs: 20_000 };

type Agent = { connections: number; away: boolean };

/**
 * Who is connected, away, typing and viewing. Presence follows connections (online with the first,
 * offline when the last closes); every change is an event in the one log, so clients see it in
 * order with everything else. Typing and viewing carry `expires_at`: clients hide them by
 * themselves when no refresh comes, so no timer is needed here.
 */
export class Presence {
  private readonly agents = new Map<string, Agent>();
  private readonly typingUntil = new Map<string, { user: string; conversationId: number; expiresAtMs: number }>();
  private readonly viewingBy = new Map<string, { conversationId: number; expiresAtMs: number }>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly now: () => number = Date.now,
    private readonly ttl: PresenceTtl = DEFAULT_PRESENCE_TTL,
  ) {}

  /** Stops recording (shutdown): connections closing now are the gateway going away, not agents leaving. */
  stop(): void {
    this.stopped = true;
  }

  /** Registers a connection of `user`; returns the function to call when it closes. */
  connect(user: string): () => void {
    const agent = this.agents.get(user) ?? { connections: 0, away: false };
    agent.connections += 1;
    this.agents.set(user, agent);
    if (agent.connections === 1) this.emit([{ type: 'presence', user, state: agent.away ? 'away' : 'online' }]);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      agent.connections -= 1;
      if (agent.connections > 0) return;
      this.agents.delete(user);
      const leaving: UnsequencedEvent[] = [{ type: 'presence', user, state: 'offline' }];
      if (this.viewingBy.delete(user)) leaving.push(this.viewingEvent(user, null));
      for (const [key, entry] of this.typingUntil) if (entry.user === user) this.typingUntil.delete(key);
      this.emit(leaving);
    };
  }

  setState(user: string, state: 'online' | 'away'): Result<{ state: PresenceState }> {
    const agent = this.agents.get(user);
    if (!agent) return fail('conflict', `${user} has no open connection`);
    const away = state === 'away';
    if (agent.away !== away) {
      agent.away = away;
      this.emit([{ type: 'presence', user, state }]);
    }
    return ok({ state });
  }

  typing(user: string, conversationId: number): Result<{ expires_at: string }> {
    if (!this.store.conversations.get(conversationId)) return fail('not_found', `conversation ${conversationId} does not exist`);
    const expiresAtMs = this.now() + this.ttl.typingMs;
    this.typingUntil.set(`${user}\u0000${conversationId}`, { user, conversationId, expiresAtMs });
    this.emit([{ type: 'typing', user, conversation_id: conversationId, expires_at: new Date(expiresAtMs).toISOString() }]);
    return ok({ expires_at: new Date(expiresAtMs).toISOString() });
  }

  viewing(user: string, conversationId: number | null): Result<{ expires_at: string }> {
    if (conversationId !== null && !this.store.conversations.get(conversationId)) {
      return fail('not_found', `conversation ${conversationId} does not exist`);
    }
    const event = this.viewingEvent(user, conversationId);
    if (conversationId === null) this.viewingBy.delete(user);
    else this.viewingBy.set(user, { conversationId, expiresAtMs: Date.parse(event.expires_at) });
    this.emit([event]);
    return ok({ expires_at: event.expires_at });
  }

  team(): Team {
    const nowMs = this.now();
    return {
      agents: [...this.agents].map(([user, agent]) => ({ user, state: agent.away ? 'away' : 'online' })),
      typing: [...this.typingUntil.values()]
        .filter((entry) => entry.expiresAtMs > nowMs)
        .map((entry) => ({ user: entry.user, conversation_id: entry.conversationId, expires_at: new Date(entry.expiresAtMs).toISOString() })),
      viewing: [...this.viewingBy]
        .filter(([, entry]) => entry.expiresAtMs > nowMs)
        .map(([user, entry]) => ({ user, conversation_id: entry.conversationId, expires_at: new Date(entry.expiresAtMs).toISOString() })),
    };
  }

  private viewingEvent(user: string, conversationId: number | null): Extract<UnsequencedEvent, { type: 'viewing' }> {
    return { type: 'viewing', user, conversation_id: conversationId, expires_at: new Date(this.now() + this.ttl.viewingMs).toISOString() };
  }

  private emit(events: UnsequencedEvent[]): void {
    if (this.stopped) return;
    const nowMs = this.now();
    const logged: ServerEvent[] = this.store.transaction(() => events.map((event) => this.store.events.append(event, nowMs)));
    this.bus.publish(logged);
  }
}
