import type { PresenceState } from '../../shared/contract';

/** The agents connected now, with a dot for online or away. */
export function TeamList({ agents, me }: { agents: Record<string, PresenceState>; me: string | null }) {
  const names = Object.keys(agents).sort();
  if (names.length === 0) return null;
  return (
    <ul className="team-list" aria-label="Agents">
      {names.map((user) => (
        <li key={user} className={`agent agent-${agents[user]}`} title={agents[user]}>
          {user}
          {user === me ? ' (you)' : ''}
        </li>
      ))}
    </ul>
  );
}
