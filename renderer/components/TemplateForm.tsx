import { NotSentAlert } from './NotSentAlert';
import { useState, type FormEvent } from 'react';

/** Outside the 24-hour window: an approved template by name and language, with body parameters. */
export function TemplateForm(props: { onSend: (template: { name: string; language: string; parameters: string[] }) => Promise<boolean>; error: string | null }) {
  const [name, setName] = useState('');
  const [language, setLanguage] = useState('en_US');
  const [parameters, setParameters] = useState('');
  const [sending, setSending] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSending(true);
    const list = parameters
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const sent = await props.onSend({ name: name.trim(), language: language.trim(), parameters: list });
    setSending(false);
    if (sent) setParameters('');
  };
  return (
    <form className="template-form" onSubmit={(event) => void submit(event)} aria-label="Send a template">
      <label>
        Template
        <input value={name} onChange={(event) => setName(event.target.value)} placeholder="order_update" required />
      </label>
      <label>
        Language
        <input value={language} onChange={(event) => setLanguage(event.target.value)} required />
      </label>
      <label>
        Parameters (one per line)
        <textarea value={parameters} rows={2} onChange={(event) => setParameters(event.target.value)} />
      </label>
      <button type="submit" disabled={sending || !name.trim()}>
        Send template
      </button>
      <NotSentAlert error={props.error} />
    </form>
  );
}
