/** Why the last send from this conversation was refused, shown under the composer or template form. */
export function NotSentAlert({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="composer-error" role="alert">
      Not sent: {error}
    </p>
  );
}
