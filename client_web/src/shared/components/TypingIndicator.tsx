interface Props {
  who: string | null;
  /** The words around the name, in the reader's language. */
  format?: (who: string) => string;
}

/** "… is typing" — polite, and empty (but present) when nobody types, so it never jumps the layout. */
export function TypingIndicator({ who, format }: Props) {
  return (
    <p class="typing" aria-live="polite">
      {who ? (format ? format(who) : `${who} is typing…`) : ""}
    </p>
  );
}
