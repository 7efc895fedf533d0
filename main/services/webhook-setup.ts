import { fail, ok, type OperationResult, type Result } from '../../shared/contract';
import type { GatewayConfig } from '../config';
import { WebhookWiring, type WiringResult } from '../whatsapp/webhook-wiring';
import type { Caller } from './operations';
import { selfTestWebhook, type SelfTestResult } from './webhook-self-test';

export type WebhookSetupDeps = {
  /** The tunnel's public URL, or null without one (known once the gateway listens). */
  publicUrl(): string | null;
  /** The configuration in force (the settings screen can change it). */
  current(): GatewayConfig;
  /** How Graph API calls reach Meta. */
  fetch?: typeof fetch;
  /** How the gateway calls its own public URL (default the global fetch). */
  fetchSelf?: typeof fetch;
};

/**
 * The developer's view of how Meta reaches this gateway: the public URL checked as Meta would call
 * it, and Meta's routing for the number, read back; and, on request, Meta wired to the public URL
 * (the app subscribed to the business account, the number's callback override set).
 */
export class WebhookSetup {
  constructor(private readonly deps: WebhookSetupDeps) {}

  /** The app secret in force (the settings screen can change it): deliveries are checked against it. */
  appSecret(): string {
    return this.deps.current().appSecret;
  }

  callbackUrl(): string | null {
    const publicUrl = this.deps.publicUrl();
    return publicUrl ? `${publicUrl}/webhook` : null;
  }

  /** Calls the public URL as Meta would (handshake, then a signed delivery that is not stored); null without one. */
  checkUrl(): Promise<SelfTestResult> | null {
    const config = this.deps.current();
    const publicUrl = this.deps.publicUrl();
    return publicUrl ? selfTestWebhook(publicUrl, { verifyToken: config.verifyToken, appSecret: config.appSecret }, this.deps.fetchSelf) : null;
  }

  async check(): Promise<Result<OperationResult<'checkWebhookSetup'>>> {
    const config = this.deps.current();
    const publicUrl = this.deps.publicUrl();
    const check = await this.checkUrl();
    const wiring = this.wiring(config);
    let routing: Extract<WiringResult, { ok: true }>['routing'] | null = null;
    let routingError: string | null = null;
    if ('error' in wiring) routingError = wiring.error;
    else {
      const read = await wiring.readBack();
      if (read.ok) routing = read.routing;
      else routingError = read.message;
    }
    return ok({ public_url: publicUrl, callback_url: this.callbackUrl(), verify_token: config.verifyToken, check, routing, routing_error: routingError });
  }

  async connect(caller: Caller): Promise<Result<OperationResult<'connectMeta'>>> {
    const config = this.deps.current();
    if (caller.user !== config.localUser) return fail('forbidden', `only ${config.localUser}, who runs this gateway, can change where Meta sends its webhooks`);
    const callback = this.callbackUrl();
    if (!callback) return fail('bad_request', 'no public URL to point Meta at: start the gateway with --tunnel');
    const wiring = this.wiring(config);
    if ('error' in wiring) return fail('bad_request', wiring.error);
    const result = await wiring.wire(callback, config.verifyToken);
    if (!result.ok) return fail('unavailable', result.message);
    return ok(result.routing);
  }

  private wiring(config: GatewayConfig): WebhookWiring | { error: string } {
    const whatsapp = config.whatsapp;
    if (whatsapp.mode !== 'live') return { error: 'the sandbox has no Meta account to wire: go live first (access token, app secret, phone number id)' };
    if (!whatsapp.wabaId) return { error: 'wiring Meta needs the WhatsApp Business Account id (WHATSAPP_WABA_ID, or in Settings)' };
    return new WebhookWiring({
      graphUrl: whatsapp.graphUrl,
      apiVersion: whatsapp.apiVersion,
      accessToken: whatsapp.accessToken,
      wabaId: whatsapp.wabaId,
      phoneNumberId: whatsapp.phoneNumberId,
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    });
  }
}
