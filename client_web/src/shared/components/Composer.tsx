import { useEffect, useRef, useState } from "preact/hooks";

export const MAX_TEXT = 4000;
const TYPING_IDLE_MS = 4000;
const defaultTooLong = (length: number, max: number) => `Too long: ${length} of ${max} characters.`;

interface Props {
  id: string;
  label: string;
  placeholder?: string;
  disabled?: boolean;
  disabledReason?: string;
  sendLabel?: string;
  /** The keyboard hint and the too-long warning, in the reader's language. */
  keysHint?: string;
  tooLongText?: (length: number, max: number) => string;
  onSend: (text: string) => void;
  onTyping?: (typing: boolean) => void;
  children?: preact.ComponentChildren;
}

/** Message box: Enter sends, Shift+Enter starts a new line. Reports typing start/stop. */
export function Composer({
  id,
  label,
  placeholder,
  disabled,
  disabledReason,
  sendLabel,
  keysHint,
  tooLongText,
  onSend,
  onTyping,
  children,
}: Props) {
  const [text, setText] = useState("");
  const typing = useRef(false);
  const idle = useRef<number | undefined>(undefined);

  const setTyping = (value: boolean) => {
    if (!onTyping || typing.current === value) return;
    typing.current = value;
    onTyping(value);
  };

  useEffect(() => () => window.clearTimeout(idle.current), []);

  const trimmed = text.trim();
  const tooLong = text.length > MAX_TEXT;
  const canSend = !disabled && trimmed.length > 0 && !tooLong;

  const submit = (event?: Event) => {
    event?.preventDefault();
    if (!canSend) return;
    onSend(text);
    setText("");
    window.clearTimeout(idle.current);
    setTyping(false);
  };

  const onInput = (event: Event) => {
    const value = (event.currentTarget as HTMLTextAreaElement).value;
    setText(value);
    window.clearTimeout(idle.current);
    if (value.trim().length > 0) {
      setTyping(true);
      idle.current = window.setTimeout(() => setTyping(false), TYPING_IDLE_MS);
    } else {
      setTyping(false);
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) submit(event);
  };

  const hintId = `${id}-hint`;
  return (
    <form class="composer" onSubmit={submit}>
      <label class="composer__label" for={id}>
        {label}
      </label>
      {children}
      <div class="composer__row">
        <textarea
          id={id}
          class="composer__input"
          rows={2}
          value={text}
          placeholder={placeholder}
          disabled={disabled}
          aria-describedby={hintId}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onBlur={() => setTyping(false)}
        />
        <button type="submit" class="button button--primary" disabled={!canSend}>
          {sendLabel ?? "Send"}
        </button>
      </div>
      <p id={hintId} class={tooLong ? "composer__hint composer__hint--error" : "composer__hint"}>
        {disabled && disabledReason
          ? disabledReason
          : tooLong
            ? (tooLongText ?? defaultTooLong)(text.length, MAX_TEXT)
            : <span class="composer__keys">{keysHint ?? "Enter to send, Shift+Enter for a new line."}</span>}
      </p>
    </form>
  );
}
