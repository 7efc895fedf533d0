/** What a webhook delivery carries and for which business numbers: the inspector lists and filters by these. */
export type DeliverySummary = { fields: string[]; phoneNumberIds: string[] };

/**
 * Reads a delivery's changes: a `messages` change counts as `messages` when it holds messages and
 * `statuses` when it holds statuses (Meta sends both under one field); any other change counts by
 * Meta's field name (`account_update`, `message_template_status_update`…). Never throws: a body
 * of another shape has no fields.
 */
export function deliverySummary(json: unknown): DeliverySummary {
  const fields = new Set<string>();
  const phones = new Set<string>();
  const entries = (json as { entry?: unknown } | null)?.entry;
  for (const entry of Array.isArray(entries) ? entries : []) {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    for (const change of Array.isArray(changes) ? changes : []) {
      const { field, value } = (change ?? {}) as { field?: unknown; value?: { messages?: unknown; statuses?: unknown; metadata?: { phone_number_id?: unknown } } };
      if (typeof field !== 'string') continue;
      if (field === 'messages') {
        const hasStatuses = Array.isArray(value?.statuses) && value.statuses.length > 0;
        const hasMessages = Array.isArray(value?.messages) && value.messages.length > 0;
        if (hasMessages || !hasStatuses) fields.add('messages');
        if (hasStatuses) fields.add('statuses');
      } else fields.add(field);
      const phone = value?.metadata?.phone_number_id;
      if (typeof phone === 'string' && phone !== '') phones.add(phone);
    }
  }
  return { fields: [...fields].sort(), phoneNumberIds: [...phones].sort() };
}

/** A list stored as `,a,b,`: one `LIKE '%,a,%'` finds a member. */
export function delimited(values: readonly string[]): string {
  return values.length === 0 ? '' : `,${values.join(',')},`;
}

export function undelimited(stored: string): string[] {
  return stored.split(',').filter(Boolean);
}
