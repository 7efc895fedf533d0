import { describe, expect, it } from 'vitest';
import { TEMPLATE_LIST_TTL_MS, TemplateCatalog } from '../../../main/services/template-catalog';
import { parameterCount, renderTemplateBody, SANDBOX_TEMPLATES, type TemplateListing } from '../../../main/whatsapp/templates';

describe('templates', () => {
  it('count and fill numbered and named placeholders, each distinct one once', () => {
    expect(parameterCount('Hi {{1}}, order {{2}}. Bye {{1}}')).toBe(2);
    expect(parameterCount('Hola {{ nombre }}, tu pedido {{pedido}}')).toBe(2);
    expect(renderTemplateBody('Hi {{1}}, order {{2}}. Bye {{1}}', ['Ana', '#7'])).toBe('Hi Ana, order #7. Bye Ana');
    expect(renderTemplateBody('Hola {{nombre}}, pedido {{pedido}}', ['Ana'])).toBe('Hola Ana, pedido {{pedido}}');
  });

  it('are fetched once an hour, or again when the agent refreshes; a failure says why and keeps nothing stale hidden', async () => {
    let calls = 0;
    let nowMs = 0;
    let answer: TemplateListing = { ok: true, templates: [...SANDBOX_TEMPLATES] };
    const catalog = new TemplateCatalog({ listTemplates: () => (calls++, Promise.resolve(answer)) }, () => nowMs);
    expect(catalog.render('order_update', 'en_US', ['Ana', '#1'])).toBeNull();
    expect(await catalog.list({})).toMatchObject({ ok: true, value: { fetched_at: '1970-01-01T00:00:00.000Z' } });
    await catalog.list({});
    expect(calls).toBe(1);
    expect(catalog.render('order_update', 'en_US', ['Ana', '#1'])).toContain('Hi Ana, your order #1');
    await catalog.list({ refresh: true });
    nowMs = TEMPLATE_LIST_TTL_MS;
    answer = { ok: false, reason: 'Invalid OAuth access token (190)' };
    expect(await catalog.list({})).toEqual({ ok: false, error: { code: 'upstream_error', message: 'WhatsApp did not list the templates: Invalid OAuth access token (190)' } });
    expect(calls).toBe(3);
  });

  it('needs the business account id in live mode', async () => {
    expect(await new TemplateCatalog(null).list({})).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('WHATSAPP_WABA_ID') } });
  });
});
