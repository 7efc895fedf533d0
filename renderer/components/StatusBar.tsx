import type { ConnectionState } from '../bridge/bridge-api';
import type { GatewayMode, PresenceState } from '../../shared/contract';
import type { ThemeChoice } from '../features/use-theme';
import { TeamList } from './TeamList';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting… (showing what was last received)',
  offline: 'Offline: showing stored history',
};

/** The top bar: which mode the gateway is in and whether the screen is current. */
export function StatusBar(props: {
  connection: ConnectionState;
  mode: GatewayMode | null;
  error: string | null;
  agents: Record<string, PresenceState>;
  me: string | null;
  /** Browser mode: forget the token and return to the sign-in screen. */
  onSignOut?: () => void;
  onOpenSettings?: () => void;
  /** The developer's webhook inspector. */
  onOpenWebhooks?: () => void;
  /** Shown while the browser has not been asked: switch desktop notifications on. */
  onEnableNotifications?: () => void;
  /** While reconnecting or offline: try again now. */
  onRetryNow?: () => void;
  theme: ThemeChoice;
  onTheme: (choice: ThemeChoice) => void;
}) {
  return (
    <header className="status-bar">
      <h1>Switchboard</h1>
      {props.mode === 'sandbox' && (
        <span className="sandbox-badge" title="Sandbox: sends are simulated and nothing reaches real customers (Settings connects WhatsApp).">
          Sandbox
        </span>
      )}
      <TeamList agents={props.agents} me={props.me} />
      <span className={`connection connection-${props.connection}`} role="status" data-state={props.connection}>
        {CONNECTION_TEXT[props.connection]}
      </span>
      {(props.connection === 'reconnecting' || props.connection === 'offline') && props.onRetryNow && (
        <button type="button" className="bar-button" onClick={props.onRetryNow}>
          Retry now
        </button>
      )}
      {props.error && <span className="status-error">{props.error}</span>}
      {props.onEnableNotifications && (
        <button type="button" className="bar-button" onClick={props.onEnableNotifications}>
          Enable notifications
        </button>
      )}
      {props.onOpenWebhooks && (
        <button type="button" className="bar-button" onClick={props.onOpenWebhooks}>
          Webhooks
        </button>
      )}
      {props.onOpenSettings && (
        <button type="button" className="bar-button" onClick={props.onOpenSettings}>
          Settings
        </button>
      )}
      <select className="theme-choice" aria-label="Theme" value={props.theme} onChange={(event) => props.onTheme(event.target.value as ThemeChoice)}>
        <option value="system">Theme: system</option>
        <option value="light">Theme: light</option>
        <option value="dark">Theme: dark</option>
      </select>
      {props.onSignOut && (
        <button type="button" className="bar-button" onClick={props.onSignOut}>
          Sign out
        </button>
      )}
    </header>
  );
}
