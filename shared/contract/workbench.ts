import { z } from 'zod';

/** Loopback hosts: the only ones a plain-http "public" URL may name (a proxy on this machine, tests). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why `value` cannot be the public URL Meta calls, or null when it can: https (http only on this
 * machine), without a query or fragment, since the callback is `<url>/webhook`.
 */
export function publicUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL, such as https://hooks.example.com';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return 'must be https: Meta only calls https URLs';
  if (url.search || url.hash) return 'must have no query or fragment (the callback is <url>/webhook)';
  return null;
}

/** A public URL without its trailing slashes. */
export function trimPublicUrl(value: string): string {
  return new URL(value).href.replace(/\/+$/, '');
}

const publicUrl = z
  .string()
  .trim()
  .max(2048)
  .superRefine((value, context) => {
    const problem = publicUrlProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .transform(trimPublicUrl);

const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a host name, such as hooks.example.com');

/** A Cloudflare named tunnel: its name or UUID, as `cloudflared tunnel list` shows it. */
const cloudflaredTunnelName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be the tunnel’s name or UUID (letters, digits, . _ -)');

/**
 * How Meta reaches this gateway: no tunnel; the ngrok agent in-process (on a fixed domain when
 * given); the `cloudflared` binary (a quick tunnel, or a named one with its public host name); or a
 * URL of a tunnel or reverse proxy the user runs.
 */
export const TunnelChoiceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('off') }).strict(),
  z.object({ kind: z.literal('ngrok'), domain: hostname.nullable() }).strict(),
  z
    .object({
      kind: z.literal('cloudflared'),
      /** Null: a quick tunnel (a new trycloudflare.com URL each time). */
      name: cloudflaredTunnelName.nullable(),
      /** The named tunnel's public host name; null: read from cloudflared's config file. */
      hostname: hostname.nullable(),
    })
    .strict(),
  z.object({ kind: z.literal('url'), url: publicUrl }).strict(),
]);

export type TunnelChoice = z.infer<typeof TunnelChoiceSchema>;

/** Where the tunnel stands: opening, open at `public_url`, failed with `error`, or off. */
export const TunnelStateSchema = z.object({
  state: z.enum(['off', 'opening', 'open', 'failed']),
  public_url: z.string().nullable(),
  error: z.string().nullable(),
});

export type TunnelState = z.infer<typeof TunnelStateSchema>;

/** Webhook fields (`entry[].changes[].field`) a target can be narrowed to. */
const webhookField = z.string().trim().regex(/^[a-z_]{1,64}$/, 'must be webhook field names such as messages or account_update');

/** A developer's endpoint that every verified delivery (or those of some fields) is relayed to. */
export const ForwardTargetChoiceSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2048)
      .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), 'must be an http or https URL, such as http://localhost:3000/webhook'),
    /** Null: every field. */
    fields: z.array(webhookField).min(1).max(32).nullable(),
  })
  .strict();

export type ForwardTargetChoice = z.infer<typeof ForwardTargetChoiceSchema>;

/** Most forward targets one gateway relays to. */
export const MAX_FORWARD_TARGETS = 10;

/** Where a forward target's in-order lane stands: keeping up, or retrying the delivery it is stuck on. */
export const ForwardTargetStatusSchema = ForwardTargetChoiceSchema.extend({
  state: z.enum(['ok', 'retrying']),
  /** While retrying: why the target did not take the delivery. */
  last_error: z.string().nullable(),
});

/**
 * The developer's workbench settings: the tunnel and the forward targets. Each comes from the
 * command line (`serve --tunnel`, `--forward-to`: read-only here) or from these settings.
 */
export const WorkbenchViewSchema = z.object({
  can_edit: z.boolean(),
  tunnel_source: z.enum(['flags', 'settings']),
  tunnel: TunnelChoiceSchema,
  tunnel_state: TunnelStateSchema,
  /** The callback URL Meta was last given, when the open tunnel's differs from it. */
  previous_callback_url: z.string().nullable(),
  /** Where ngrok's authtoken comes from (NGROK_AUTHTOKEN wins), or null when there is none. */
  ngrok_authtoken: z.enum(['environment', 'settings']).nullable(),
  /** Whether a `cloudflared` binary is on the PATH (Switchboard never downloads one). */
  cloudflared_found: z.boolean(),
  forward_source: z.enum(['flags', 'settings']),
  forward_targets: z.array(ForwardTargetStatusSchema),
});

export type WorkbenchView = z.infer<typeof WorkbenchViewSchema>;

/** A change of the workbench settings; a part left out stays as it is. */
export const WorkbenchUpdateSchema = z
  .object({
    tunnel: TunnelChoiceSchema.optional(),
    /** ngrok's authtoken, kept with the other credentials (write-only: never sent back). */
    ngrok_authtoken: z.string().trim().min(8, 'is too short').max(1024).optional(),
    forward_targets: z
      .array(ForwardTargetChoiceSchema)
      .max(MAX_FORWARD_TARGETS)
      .refine((targets) => new Set(targets.map((target) => target.url)).size === targets.length, 'each target once')
      .optional(),
  })
  .strict();
