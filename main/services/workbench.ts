import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  fail,
  ForwardTargetChoiceSchema,
  ok,
  TunnelChoiceSchema,
  type Result,
  type TunnelChoice,
  type TunnelState,
  type ValidOperationRequest,
  type WorkbenchView,
} from '../../shared/contract';
import type { SecretStore } from './connection-settings';
import type { OneAtATime } from './one-at-a-time';
import type { Caller } from './operations';
import { describeTunnel, openTunnel, type Tunnel, type TunnelDeps, type TunnelSpec } from './tunnel';
import type { ForwardTargetConfig, WebhookForwarder } from './webhook-forwarder';

/** The workbench settings as saved in the data dir (the ngrok authtoken goes to the secret store). */
const SavedWorkbenchSchema = z.object({
  tunnel: TunnelChoiceSchema.catch({ kind: 'off' }),
  forward_targets: z.array(ForwardTargetChoiceSchema).catch([]),
});

type SavedWorkbench = z.infer<typeof SavedWorkbenchSchema>;

const WORKBENCH_FILE = 'workbench.json';
/** The callback URL last printed or shown for Meta, to warn when a new tunnel's differs. */
const CALLBACK_FILE = 'callback-url.json';

export type WorkbenchDeps = {
  dataDir: string;
  secrets: SecretStore;
  /** Shared with the connection settings: both rewrite the secret store. */
  queue: OneAtATime;
  /** What the command line set (`serve --tunnel`, `--forward-to`): it wins, and the screen shows it read-only. */
  flags: { tunnel?: TunnelSpec; forwardTo?: readonly ForwardTargetConfig[] };
  tunnelDeps: TunnelDeps;
  forwarder: WebhookForwarder;
  /** Where the gateway listens (the tunnel's local end). */
  localUrl(): string;
  /** Who may change the settings: the install's own user. */
  localUser(): string;
  /** The tunnel's state changed: clients are told (`tunnel_update`). */
  publish(state: TunnelState): void;
  log(line: string): void;
};

/**
 * The developer's workbench settings, put in force without a restart: the tunnel in front of the
 * gateway (opened, switched, closed; followed when it goes down) and the forward targets. The
 * command line wins over what is saved, as the environment does for the WhatsApp connection.
 */
export class Workbench {
  private tunnel: Tunnel | null = null;
  private state: TunnelState = { state: 'off', public_url: null, error: null };
  private previousCallback: string | null = null;
  /** Counts tunnel openings: one that finishes after a newer one began is closed, not used. */
  private generation = 0;
  private closed = false;

  constructor(private readonly deps: WorkbenchDeps) {}

  /** The forward targets to start with: the command line's, else the saved ones. */
  static initialTargets(dataDir: string, flags: WorkbenchDeps['flags']): ForwardTargetConfig[] {
    return flags.forwardTo && flags.forwardTo.length > 0 ? [...flags.forwardTo] : readSaved(dataDir).forward_targets;
  }

  publicUrl(): string | null {
    return this.state.state === 'open' ? this.state.public_url : null;
  }

  /**
   * Opens the tunnel the command line asked for, failing the start when it cannot be opened (the
   * developer is watching the terminal); or the saved one in the background, its failure shown in
   * the settings (the desktop app starts either way).
   */
  async start(): Promise<void> {
    const looping = (this.deps.flags.forwardTo ?? []).find((target) => this.pointsHere(target.url));
    if (looping) throw new ForwardLoopError(`--forward-to ${looping.url} ${LOOP_REASON}`);
    if (this.deps.flags.tunnel) {
      await this.open(this.deps.flags.tunnel, { throwOnFailure: true });
      return;
    }
    const saved = readSaved(this.deps.dataDir).tunnel;
    if (saved.kind !== 'off') void this.open(saved, { throwOnFailure: false });
  }

  view(caller: Caller): WorkbenchView {
    const saved = readSaved(this.deps.dataDir);
    const flags = this.deps.flags;
    const envToken = this.deps.tunnelDeps.env.NGROK_AUTHTOKEN?.trim();
    return {
      can_edit: caller.user === this.deps.localUser(),
      tunnel_source: flags.tunnel ? 'flags' : 'settings',
      tunnel: flags.tunnel ?? saved.tunnel,
      tunnel_state: { ...this.state },
      previous_callback_url: this.state.state === 'open' ? this.previousCallback : null,
      ngrok_authtoken: envToken ? 'environment' : this.deps.secrets.read().ngrok_authtoken ? 'settings' : null,
      cloudflared_found: this.deps.tunnelDeps.findBinary('cloudflared') !== null,
      forward_source: flags.forwardTo && flags.forwardTo.length > 0 ? 'flags' : 'settings',
      forward_targets: this.deps.forwarder.statuses(),
    };
  }

  /** Saves and applies a change; a new tunnel is open (or has failed) when this resolves. */
  update(request: ValidOperationRequest<'updateWorkbench'>, caller: Caller): Promise<Result<WorkbenchView>> {
    return this.deps.queue.run(async () => {
      if (caller.user !== this.deps.localUser()) return fail('forbidden', `only ${this.deps.localUser()}, who runs this gateway, can change its tunnel and forward targets`);
      if (request.tunnel && this.deps.flags.tunnel) return fail('conflict', 'the tunnel is set on the command line (serve --tunnel): change it there and restart');
      if (request.forward_targets && this.deps.flags.forwardTo && this.deps.flags.forwardTo.length > 0) {
        return fail('conflict', 'the forward targets are set on the command line (serve --forward-to): change them there and restart');
      }
      const looping = request.forward_targets?.find((target) => this.pointsHere(target.url));
      if (looping) return fail('bad_request', `forward_targets: ${looping.url} ${LOOP_REASON}`);
      if (request.ngrok_authtoken) {
        try {
          await this.deps.secrets.write({ ...this.deps.secrets.read(), ngrok_authtoken: request.ngrok_authtoken });
        } catch (error) {
          return fail('unavailable', `the ngrok authtoken could not be saved safely: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const saved = readSaved(this.deps.dataDir);
      const next: SavedWorkbench = { tunnel: request.tunnel ?? saved.tunnel, forward_targets: request.forward_targets ?? saved.forward_targets };
      writeFileSync(path.join(this.deps.dataDir, WORKBENCH_FILE), `${JSON.stringify(next, null, 2)}\n`);
      if (request.forward_targets) this.deps.forwarder.setTargets(request.forward_targets);
      // A new authtoken reopens an ngrok tunnel (the old one may be what failed).
      const reopen = request.tunnel !== undefined && (JSON.stringify(request.tunnel) !== JSON.stringify(saved.tunnel) || this.state.state !== 'open');
      if (reopen || (request.ngrok_authtoken && next.tunnel.kind === 'ngrok')) await this.open(next.tunnel, { throwOnFailure: false });
      return ok(this.view(caller));
    });
  }

  /** Closes the tunnel (the gateway is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    await this.closeTunnel();
  }

  private async open(choice: TunnelChoice, { throwOnFailure }: { throwOnFailure: boolean }): Promise<void> {
    const generation = ++this.generation;
    await this.closeTunnel();
    if (choice.kind === 'off') {
      this.setState({ state: 'off', public_url: null, error: null });
      return;
    }
    this.setState({ state: 'opening', public_url: null, error: null });
    const deps = { ...this.deps.tunnelDeps, env: { ...this.deps.tunnelDeps.env, NGROK_AUTHTOKEN: this.ngrokAuthtoken() } };
    let tunnel: Tunnel;
    try {
      tunnel = await openTunnel(choice, this.deps.localUrl(), deps);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (generation !== this.generation) return;
      this.setState({ state: 'failed', public_url: null, error: message });
      // The command line's tunnel fails the start, which says why itself.
      if (throwOnFailure) throw error;
      this.deps.log(`tunnel: ${describeTunnel(choice)} could not be opened: ${message}`);
      return;
    }
    if (generation !== this.generation || this.closed) {
      await tunnel.close();
      return;
    }
    this.tunnel = tunnel;
    tunnel.onDown((reason) => {
      if (this.tunnel !== tunnel) return;
      this.tunnel = null;
      this.setState({ state: 'failed', public_url: null, error: `the tunnel went down: ${reason}` });
      this.deps.log(`tunnel: went down (${reason}); Meta cannot reach this gateway until it is opened again`);
    });
    this.previousCallback = this.rememberCallback(`${tunnel.publicUrl}/webhook`);
    this.setState({ state: 'open', public_url: tunnel.publicUrl, error: null });
    this.deps.log(`tunnel: ${describeTunnel(choice)} open at ${tunnel.publicUrl}; Meta's callback URL is ${tunnel.publicUrl}/webhook`);
    if (this.previousCallback) this.deps.log(`tunnel: the callback URL changed since the last tunnel (was ${this.previousCallback}): give Meta the new one`);
  }

  /** Whether `url` is this gateway itself, here or through its tunnel. */
  private pointsHere(url: string): boolean {
    const own = [this.deps.localUrl(), this.publicUrl()].filter((candidate): candidate is string => Boolean(candidate));
    return own.some((candidate) => sameServer(url, candidate));
  }

  private ngrokAuthtoken(): string | undefined {
    return this.deps.tunnelDeps.env.NGROK_AUTHTOKEN?.trim() || this.deps.secrets.read().ngrok_authtoken;
  }

  private async closeTunnel(): Promise<void> {
    const tunnel = this.tunnel;
    this.tunnel = null;
    await tunnel?.close().catch((error: unknown) => this.deps.log(`tunnel: did not close cleanly (${error instanceof Error ? error.message : String(error)})`));
  }

  private setState(state: TunnelState): void {
    this.state = state;
    if (!this.closed) this.deps.publish(state);
  }

  /** Saves the callback URL shown for Meta; returns the previous one when it differs. */
  private rememberCallback(url: string): string | null {
    const file = path.join(this.deps.dataDir, CALLBACK_FILE);
    let previous: string | null = null;
    try {
      previous = (JSON.parse(readFileSync(file, 'utf8')) as { url?: string }).url ?? null;
    } catch {
      // The first tunnel for this data dir.
    }
    writeFileSync(file, `${JSON.stringify({ url }, null, 2)}\n`);
    return previous && previous !== url ? previous : null;
  }
}

/** A forward target that is this gateway: each delivery would come back and be relayed again, without end. */
export class ForwardLoopError extends Error {}

const LOOP_REASON = 'is this gateway itself: each delivery would come back and be relayed again, without end (give your own app’s address)';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']);

/** Whether two URLs reach the same server: scheme, port and host, the loopback names being one host. */
export function sameServer(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)];
  const host = (url: URL) => (LOOPBACK.has(url.hostname) ? 'loopback' : url.hostname);
  const port = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');
  return x.protocol === y.protocol && port(x) === port(y) && host(x) === host(y);
}

/** The saved workbench settings; what cannot be read is left at its default (off, no targets). */
function readSaved(dataDir: string): SavedWorkbench {
  const file = path.join(dataDir, WORKBENCH_FILE);
  if (!existsSync(file)) return { tunnel: { kind: 'off' }, forward_targets: [] };
  try {
    return SavedWorkbenchSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { tunnel: { kind: 'off' }, forward_targets: [] };
  }
}
