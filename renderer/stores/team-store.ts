import { createStore } from 'zustand/vanilla';
import type { PresenceState, ServerEvent, Team } from '../../shared/contract';

/** The other agents: presence, who types where, who views what; entries carry their expiry. */
export type TeamState = {
  me: string | null;
  agents: Record<string, PresenceState>;
  /** conversation id → user → expiry (ms). */
  typing: Record<number, Record<string, number>>;
  /** user → the conversation they view and until when. */
  viewing: Record<string, { conversationId: number; expiresAtMs: number }>;
  load(me: string, team: Team): void;
  apply(event: ServerEvent): void;
};

/** The team store: filled from getTeam at start, then from presence, typing and viewing events. */
export function createTeamStore() {
  return createStore<TeamState>()((set) => ({
    me: null,
    agents: {},
    typing: {},
    viewing: {},
    load(me, team) {
      const typing: TeamState['typing'] = {};
      for (const entry of team.typing) typing[entry.conversation_id] = { ...typing[entry.conversation_id], [entry.user]: Date.parse(entry.expires_at) };
      set({
        me,
        agents: Object.fromEntries(team.agents.map((agent) => [agent.user, agent.state])),
        typing,
        viewing: Object.fromEntries(team.viewing.map((entry) => [entry.user, { conversationId: entry.conversation_id, expiresAtMs: Date.parse(entry.expires_at) }])),
      });
    },
    apply(event) {
      if (event.type === 'presence') {
        set((state) => {
          const agents = { ...state.agents };
          if (event.state === 'offline') delete agents[event.user];
          else agents[event.user] = event.state;
          return { agents };
        });
      } else if (event.type === 'typing') {
        set((state) => ({ typing: { ...state.typing, [event.conversation_id]: { ...state.typing[event.conversation_id], [event.user]: Date.parse(event.expires_at) } } }));
      } else if (event.type === 'viewing') {
        set((state) => {
          const viewing = { ...state.viewing };
          if (event.conversation_id === null) delete viewing[event.user];
          else viewing[event.user] = { conversationId: event.conversation_id, expiresAtMs: Date.parse(event.expires_at) };
          return { viewing };
        });
      }
    },
  }));
}

/** The store instance type. */
export type TeamStore = ReturnType<typeof createTeamStore>;

/** Other agents typing in `conversationId` at `nowMs`. */
export function typingIn(state: TeamState, conversationId: number, nowMs: number): string[] {
  return Object.entries(state.typing[conversationId] ?? {})
    .filter(([user, until]) => user !== state.me && until > nowMs)
    .map(([user]) => user)
    .sort();
}

/** Other agents viewing `conversationId` at `nowMs`. */
export function viewersOf(state: TeamState, conversationId: number, nowMs: number): string[] {
  return Object.entries(state.viewing)
    .filter(([user, entry]) => user !== state.me && entry.conversationId === conversationId && entry.expiresAtMs > nowMs)
    .map(([user]) => user)
    .sort();
}

/** The soonest future expiry among typing and viewing entries, to re-render when it passes. */
export function nextExpiry(state: TeamState, nowMs: number): number | null {
  const all = [...Object.values(state.typing).flatMap((users) => Object.values(users)), ...Object.values(state.viewing).map((entry) => entry.expiresAtMs)];
  const future = all.filter((ms) => ms > nowMs);
  return future.length > 0 ? Math.min(...future) : null;
}
