import { fail, ok, type MessageTemplate, type Result, type ValidOperationRequest } from '../../shared/contract';
import { renderTemplateBody, type TemplateSource } from '../whatsapp/templates';

/** How long a fetched list serves the picker before Meta is asked again. */
export const TEMPLATE_LIST_TTL_MS = 60 * 60 * 1000;

/**
 * The business account's approved templates, fetched from Meta at most once an hour (or when the
 * agent refreshes), and what a sent template says: its body with the parameters filled in.
 */
export class TemplateCatalog {
  private cached: { templates: MessageTemplate[]; fetchedAtMs: number } | null = null;

  constructor(
    private readonly source: TemplateSource | null,
    private readonly now: () => number = Date.now,
    /** Whether the source can list templates now (the connection can change at run time). */
    private readonly available: () => boolean = () => source !== null,
  ) {}

  /** Forgets the fetched list: the connection changed (another account, or sandbox ↔ live). */
  forget(): void {
    this.cached = null;
  }

  async list(request: ValidOperationRequest<'listTemplates'>): Promise<Result<{ templates: MessageTemplate[]; fetched_at: string }>> {
    if (!this.source || !this.available()) return fail('unavailable', 'set WHATSAPP_WABA_ID (the WhatsApp Business Account id) to list its approved templates');
    const fresh = this.cached && !request.refresh && this.now() - this.cached.fetchedAtMs < TEMPLATE_LIST_TTL_MS;
    if (!fresh) {
      const listing = await this.source.listTemplates();
      if (!listing.ok) return fail('upstream_error', `WhatsApp did not list the templates: ${listing.reason}`);
      this.cached = { templates: listing.templates, fetchedAtMs: this.now() };
    }
    const { templates, fetchedAtMs } = this.cached ?? { templates: [], fetchedAtMs: this.now() };
    return ok({ templates, fetched_at: new Date(fetchedAtMs).toISOString() });
  }

  /** The text a template sends with these parameters, when the template is known; null otherwise. */
  render(name: string, language: string, parameters: readonly string[]): string | null {
    const template = this.cached?.templates.find((candidate) => candidate.name === name && candidate.language === language);
    return template ? renderTemplateBody(template.body, parameters) : null;
  }
}
