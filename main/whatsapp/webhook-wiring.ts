import { fetchFailure } from '../fetch-failure';
import { graphErrorOf } from './graph-client';

/** What the wiring needs: the Graph API, the credentials and the two ids. */
export type WiringConfig = { graphUrl: string; apiVersion: string; accessToken: string; wabaId: string; phoneNumberId: string; fetch?: typeof fetch; timeoutMs?: number };

/** Where Meta sends this number's webhooks, layer by layer (the first one set wins, for the fields an override covers). */
export type WebhookRouting = {
  /** Apps subscribed to the business account's webhooks; without ours, nothing arrives. */
  subscribed_apps: { id: string | null; name: string | null; override_callback_uri: string | null }[];
  phone_number_override: string | null;
  business_account_override: string | null;
  app_callback: string | null;
  /** Where `messages` webhooks of this number go now: the phone number's override, else the account's, else the app's URL. */
  effective: string | null;
};

export type WiringResult = { ok: true; routing: WebhookRouting } | { ok: false; step: 'subscribe' | 'override' | 'read_back'; message: string };

type Answer = { ok: true; body: Record<string, unknown> } | { ok: false; message: string };

/**
 * Wires Meta to this gateway for one developer's test number, without touching the shared app:
 * subscribes the app to the business account (`POST /<WABA>/subscribed_apps`: needed once per
 * account, forgotten often), sets the phone number's callback override to our URL (`POST
 * /<PHONE_NUMBER_ID>` with `webhook_configuration`; Meta checks it with the verify-token handshake,
 * and it wins over the account's and the app's URL for `messages` and the fields overrides cover),
 * then reads back what Meta has and says where the number's webhooks go now.
 */
export class WebhookWiring {
  constructor(private readonly config: WiringConfig) {}

  async wire(callbackUrl: string, verifyToken: string): Promise<WiringResult> {
    const { wabaId, phoneNumberId } = this.config;
    const subscribed = await this.call('POST', `${enc(wabaId)}/subscribed_apps`);
    if (!subscribed.ok) return { ok: false, step: 'subscribe', message: `subscribing the app to business account ${wabaId} failed: ${subscribed.message}` };
    const override = await this.call('POST', enc(phoneNumberId), { webhook_configuration: { override_callback_uri: callbackUrl, verify_token: verifyToken } });
    if (!override.ok) return { ok: false, step: 'override', message: `pointing phone number ${phoneNumberId} at ${callbackUrl} failed: ${override.message}` };
    return this.readBack();
  }

  /** What Meta has now, without changing anything. */
  async readBack(): Promise<WiringResult> {
    const { wabaId, phoneNumberId } = this.config;
    const apps = await this.call('GET', `${enc(wabaId)}/subscribed_apps`);
    if (!apps.ok) return { ok: false, step: 'read_back', message: `reading the apps subscribed to business account ${wabaId} failed: ${apps.message}` };
    const phone = await this.call('GET', `${enc(phoneNumberId)}?fields=webhook_configuration`);
    if (!phone.ok) return { ok: false, step: 'read_back', message: `reading phone number ${phoneNumberId}'s webhook configuration failed: ${phone.message}` };
    const subscribedApps = (Array.isArray(apps.body.data) ? apps.body.data : []).map((raw: unknown) => {
      const app = (raw ?? {}) as { whatsapp_business_api_data?: { id?: unknown; name?: unknown }; override_callback_uri?: unknown };
      return { id: text(app.whatsapp_business_api_data?.id), name: text(app.whatsapp_business_api_data?.name), override_callback_uri: text(app.override_callback_uri) };
    });
    const layers = (phone.body.webhook_configuration ?? {}) as { phone_number?: unknown; whatsapp_business_account?: unknown; application?: unknown };
    const routing = {
      subscribed_apps: subscribedApps,
      phone_number_override: text(layers.phone_number),
      business_account_override: text(layers.whatsapp_business_account),
      app_callback: text(layers.application),
    };
    return { ok: true, routing: { ...routing, effective: routing.phone_number_override ?? routing.business_account_override ?? routing.app_callback } };
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const { graphUrl, apiVersion, accessToken } = this.config;
    let response: Response;
    try {
      response = await (this.config.fetch ?? fetch)(`${graphUrl.replace(/\/+$/, '')}/${apiVersion}/${path}`, {
        method,
        headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 15_000),
      });
    } catch (error) {
      return { ok: false, message: `could not reach the Graph API (${fetchFailure(error, this.config.timeoutMs ?? 15_000)})` };
    }
    const parsed = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    if (!response.ok) {
      const { code, message } = graphErrorOf(parsed);
      return { ok: false, message: `${message ?? `HTTP ${response.status}`}${code !== null ? ` (${code})` : ''}` };
    }
    return { ok: true, body: parsed ?? {} };
  }
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
