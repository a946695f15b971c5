interface Props {
  announcements: readonly { id: string; text: string }[];
}

/** A visually hidden polite live region: screen readers read each new message out. */
export function LiveAnnouncer({ announcements }: Props) {
  return (
    <div class="visually-hidden" aria-live="polite" aria-atomic="false" aria-relevant="additions">
      {announcements.map((a) => (
        <p key={a.id}>{a.text}</p>
      ))}
    </div>
  );
}
