import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { fillTemplate, templatePlaceholders, type MessageTemplate } from '../../shared/contract';
import { NotSentAlert } from '../components/NotSentAlert';
import { TemplateForm } from '../components/TemplateForm';
import { useTemplates } from '../stores/inbox-stores';

type TemplateSend = { name: string; language: string; parameters: string[] };

/** The placeholders of a body in order of first use: `1`, `2`… or names. */
export const placeholdersOf = templatePlaceholders;

/** The body as the customer will read it, with the parameters typed so far (empty ones stay as placeholders). */
export function previewBody(body: string, values: readonly string[]): string {
  return fillTemplate(body, values.map((value) => value.trim()));
}

const templateKey = (template: MessageTemplate) => `${template.name}|${template.language}`;

/**
 * Picks one of the business account's approved templates (listed from the Graph API), shows it as
 * the customer will see it, and asks for each of its parameters. When the templates cannot be
 * listed (no business account id), says why and falls back to typing a template's name.
 */
export function TemplatePicker(props: { onSend: (template: TemplateSend) => Promise<boolean>; error: string | null; onCancel?: () => void }) {
  const { templates, loaded, loading, error, load } = useTemplates((state) => state);
  const [filter, setFilter] = useState('');
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const [sending, setSending] = useState(false);
  useEffect(() => void load(), [load]);

  const shown = useMemo(() => {
    const query = filter.trim().toLowerCase();
    return templates.filter((template) => !query || template.name.includes(query) || template.body.toLowerCase().includes(query));
  }, [templates, filter]);
  const chosen = templates.find((template) => templateKey(template) === chosenKey) ?? shown[0] ?? null;
  const names = chosen ? placeholdersOf(chosen.body) : [];
  const complete = names.every((_, index) => (values[index] ?? '').trim().length > 0);

  if (error && !loaded) {
    return (
      <div className="template-picker">
        <p className="template-unavailable" role="status">
          Templates could not be listed: {error.message}. Type the template’s name instead.
        </p>
        <TemplateForm onSend={props.onSend} error={props.error} />
      </div>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || !complete) return;
    setSending(true);
    const sent = await props.onSend({ name: chosen.name, language: chosen.language, parameters: names.map((_, index) => (values[index] ?? '').trim()) });
    setSending(false);
    if (sent) setValues([]);
  };

  return (
    <form className="template-picker" aria-label="Send a template" onSubmit={(event) => void submit(event)}>
      <div className="template-choose">
        <input type="search" aria-label="Find a template" placeholder="Find a template" value={filter} onChange={(event) => setFilter(event.target.value)} />
        <select
          aria-label="Template"
          value={chosen ? templateKey(chosen) : ''}
          onChange={(event) => {
            setChosenKey(event.target.value);
            setValues([]);
          }}
        >
          {shown.map((template) => (
            <option key={templateKey(template)} value={templateKey(template)}>
              {template.name} ({template.language})
            </option>
          ))}
        </select>
        <button type="button" className="link-button" onClick={() => void load(true)} disabled={loading}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
        {props.onCancel && (
          <button type="button" className="link-button" onClick={props.onCancel}>
            Back to reply
          </button>
        )}
      </div>
      {loaded && templates.length === 0 && <p className="template-unavailable">The business account has no approved templates.</p>}
      {chosen && (
        <>
          <div className="template-preview" aria-label="Preview">
            {chosen.header && <strong>{chosen.header}</strong>}
            <p>{previewBody(chosen.body, values)}</p>
            {chosen.footer && <small>{chosen.footer}</small>}
            {chosen.buttons.length > 0 && (
              <ul className="template-buttons">
                {chosen.buttons.map((button) => (
                  <li key={button}>{button}</li>
                ))}
              </ul>
            )}
          </div>
          {names.map((name, index) => (
            <label key={name} className="template-parameter">
              {`{{${name}}}`}
              <input
                value={values[index] ?? ''}
                required
                maxLength={1024}
                onChange={(event) => setValues((current) => Object.assign([...current], { [index]: event.target.value }))}
              />
            </label>
          ))}
          <button type="submit" className="send-button" disabled={sending || !complete}>
            Send template
          </button>
        </>
      )}
      <NotSentAlert error={props.error} />
    </form>
  );
}
