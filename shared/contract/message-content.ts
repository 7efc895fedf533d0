import { z } from 'zod';

const optionalText = z.string().optional();

/** A media attachment as Meta describes it; the file itself is fetched by id (valid 7 days). */
export const MediaContentSchema = z.object({
  id: z.string(),
  mime_type: optionalText,
  sha256: optionalText,
  caption: optionalText,
  filename: optionalText,
  /** True for a recorded voice note (audio only). */
  voice: z.boolean().optional(),
  /** True for an animated sticker. */
  animated: z.boolean().optional(),
  url: optionalText,
});

/** A shared location. */
export const LocationContentSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: optionalText,
  address: optionalText,
  url: optionalText,
});

/** One shared contact card. */
export const ContactCardSchema = z.object({
  name: z.string(),
  phones: z.array(z.object({ phone: z.string(), wa_id: optionalText, type: optionalText })),
});

/** The customer's answer to an interactive message (reply button, list row, or Flow). */
export const InteractiveReplySchema = z.object({
  kind: z.enum(['button_reply', 'list_reply', 'nfm_reply']),
  id: optionalText,
  title: optionalText,
  description: optionalText,
  /** A Flow's answer as Meta sends it: a JSON string that may be invalid. */
  response_json: optionalText,
});

/** A quick-reply button tapped in a template. */
export const TemplateButtonSchema = z.object({ payload: optionalText, text: optionalText });

/** An order placed from a catalog. */
export const OrderContentSchema = z.object({
  catalog_id: optionalText,
  text: optionalText,
  items: z.array(z.object({ product_retailer_id: z.string(), quantity: z.number(), item_price: z.number(), currency: z.string() })),
});

/** A system notice, such as a customer changing number. */
export const SystemContentSchema = z.object({
  kind: z.string(),
  body: optionalText,
  new_wa_id: optionalText,
  new_user_id: optionalText,
});

/** The click-to-WhatsApp ad (or post) a conversation started from. */
export const ReferralSchema = z.object({
  source_url: optionalText,
  source_id: optionalText,
  source_type: optionalText,
  headline: optionalText,
  body: optionalText,
  media_type: optionalText,
  image_url: optionalText,
  video_url: optionalText,
  thumbnail_url: optionalText,
  ctwa_clid: optionalText,
});

/** The catalog product a customer asked about (a product enquiry), from the message's context. */
export const ReferredProductSchema = z.object({ catalog_id: optionalText, product_retailer_id: z.string() });

/** Everything a message carries besides its text, by kind; absent parts are omitted. */
export const MessageContentSchema = z.object({
  media: MediaContentSchema.optional(),
  location: LocationContentSchema.optional(),
  contacts: z.array(ContactCardSchema).optional(),
  interactive: InteractiveReplySchema.optional(),
  button: TemplateButtonSchema.optional(),
  order: OrderContentSchema.optional(),
  system: SystemContentSchema.optional(),
  referral: ReferralSchema.optional(),
  referred_product: ReferredProductSchema.optional(),
  /** For `unsupported` messages: the kind WhatsApp could not deliver (e.g. `poll_creation`). */
  unsupported_type: optionalText,
  forwarded: z.enum(['forwarded', 'frequently_forwarded']).optional(),
});

/** The typed content of a message. */
export type MessageContent = z.infer<typeof MessageContentSchema>;

/** A reaction on a message: one per person, the newest wins, removal deletes it. */
export const ReactionSchema = z.object({ emoji: z.string(), from: z.enum(['customer', 'business']) });

/** A reaction as shown under a message. */
export type Reaction = z.infer<typeof ReactionSchema>;
