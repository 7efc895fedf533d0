/** Who else is here: "Ana is typing…", "Ben is also viewing" (collision detection for agents). */
export function ActivityLine({ typing, viewers }: { typing: string[]; viewers: string[] }) {
  const watching = viewers.filter((user) => !typing.includes(user));
  if (typing.length === 0 && watching.length === 0) return null;
  return (
    <p className="activity-line" role="status" aria-live="polite">
      {typing.length > 0 && <span className="activity-typing">{`${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}</span>}
      {watching.length > 0 && <span className="activity-viewing">{`${watching.join(', ')} ${watching.length === 1 ? 'is' : 'are'} also viewing`}</span>}
    </p>
  );
}
