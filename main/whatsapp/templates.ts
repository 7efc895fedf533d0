import { fillTemplate, templatePlaceholders, type MessageTemplate } from '../../shared/contract';

/** The approved templates of a business account, or why they could not be listed. */
export type TemplateListing = { ok: true; templates: MessageTemplate[] } | { ok: false; reason: string };

/** Where approved templates come from: the Graph API with the WABA id, or the sandbox's samples. */
export interface TemplateSource {
  listTemplates(): Promise<TemplateListing>;
}

type GraphComponent = { type?: unknown; format?: unknown; text?: unknown; buttons?: { text?: unknown }[] };
type GraphTemplate = { name?: unknown; language?: unknown; status?: unknown; category?: unknown; components?: GraphComponent[] };

/** How many parameters a body takes: its distinct placeholders. */
export function parameterCount(body: string): number {
  return templatePlaceholders(body).length;
}

/** The text a template sends with these parameters. */
export const renderTemplateBody = fillTemplate;

/**
 * One template from Meta's `message_templates` answer, as the picker shows it; null for one that
 * is not approved or has no body. Header media (an image or document header) shows as its kind.
 */
export function templateFromGraph(raw: GraphTemplate): MessageTemplate | null {
  if (raw.status !== 'APPROVED' || typeof raw.name !== 'string' || typeof raw.language !== 'string') return null;
  const components = Array.isArray(raw.components) ? raw.components : [];
  const of = (type: string) => components.find((component) => component.type === type);
  const body = of('BODY')?.text;
  if (typeof body !== 'string') return null;
  const header = of('HEADER');
  const headerText = typeof header?.text === 'string' ? header.text : typeof header?.format === 'string' ? `[${header.format.toLowerCase()}]` : undefined;
  const footer = of('FOOTER')?.text;
  return {
    name: raw.name,
    language: raw.language,
    category: typeof raw.category === 'string' ? raw.category : 'UTILITY',
    body,
    parameter_count: parameterCount(body),
    ...(headerText ? { header: headerText } : {}),
    ...(typeof footer === 'string' ? { footer } : {}),
    buttons: (of('BUTTONS')?.buttons ?? []).flatMap((button) => (typeof button.text === 'string' ? [button.text] : [])),
  };
}

/** What the sandbox offers: templates shaped like the ones most businesses have approved. */
export const SANDBOX_TEMPLATES: readonly MessageTemplate[] = [
  { name: 'hello_world', language: 'en_US', category: 'UTILITY', body: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API.', parameter_count: 0, header: 'Hello World', footer: 'WhatsApp Business Platform sample message', buttons: [] },
  { name: 'order_update', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, your order {{2}} is on its way and should arrive within 3 working days.', parameter_count: 2, footer: 'Reply STOP to opt out', buttons: ['Track order'] },
  { name: 'follow_up', language: 'en_US', category: 'UTILITY', body: 'Hi {{1}}, we are following up on your question. Reply to this message to continue the conversation.', parameter_count: 1, buttons: ['Yes, please', 'No, thanks'] },
  { name: 'seguimiento', language: 'es', category: 'UTILITY', body: 'Hola {{1}}, seguimos con tu consulta. Responde a este mensaje para continuar.', parameter_count: 1, buttons: [] },
];

/** The sandbox's template source. */
export const sandboxTemplates: TemplateSource = { listTemplates: () => Promise.resolve({ ok: true, templates: [...SANDBOX_TEMPLATES] }) };
