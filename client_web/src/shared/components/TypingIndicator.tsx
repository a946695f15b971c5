interface Props {
  who: string | null;
}

/** "… is typing" — polite, and empty (but present) when nobody types, so it never jumps the layout. */
export function TypingIndicator({ who }: Props) {
  return (
    <p class="typing" aria-live="polite">
      {who ? `${who} is typing…` : ""}
    </p>
  );
}
