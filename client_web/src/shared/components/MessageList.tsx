import { useLayoutEffect, useRef } from "preact/hooks";
import { formatClock } from "../format";
import type { ShownMessage } from "../messages";
import type { Sender } from "../protocol";

export type Viewer = "seeker" | "listener" | "supervisor";

/** The words a seeker reads around messages, in their language (staff apps use the English defaults). */
export interface MessageWords {
  you: string;
  listener: (name: string | null) => string;
  supervisor: (name: string | null) => string;
  system: string;
  sending: string;
  queued: string;
  notSent: (problem: string | undefined) => string;
  tryAgain: string;
}

const ENGLISH: MessageWords = {
  you: "You",
  listener: (name) => (name ? `${name} (listener)` : "Listener"),
  supervisor: (name) => (name ? `${name} (supervisor)` : "Supervisor"),
  system: "Peerline",
  sending: "Sending…",
  queued: "Not sent yet — will retry automatically",
  notSent: (problem) => `Not sent${problem ? `: ${problem}` : ""}`,
  tryAgain: "Try again",
};

/** Each message is labelled with the name stored with it (``sender_name``), so a take-over never
 * relabels the first listener's words; ``listenerName`` is only a fallback for messages without one. */
export function senderLabel(
  message: ShownMessage,
  viewer: Viewer,
  listenerName?: string | null,
  words: MessageWords = ENGLISH,
): string {
  const whisper = message.visibility === "staff";
  if (message.sender === viewer) return whisper ? `${words.you} (whisper)` : words.you;
  const stored = message.sender_name ?? null;
  const names: Record<Sender, string> = {
    seeker: viewer === "seeker" ? words.you : "Seeker",
    listener: words.listener(stored ?? (listenerName || null)),
    supervisor: words.supervisor(stored),
    system: words.system,
  };
  const name = names[message.sender];
  return whisper ? `${name} — whisper, the seeker can't see this` : name;
}

function deliveryText(message: ShownMessage, words: MessageWords): string | null {
  switch (message.delivery) {
    case "sending":
      return words.sending;
    case "queued":
      return words.queued;
    case "failed":
      return words.notSent(message.problem);
    default:
      return null;
  }
}

interface Props {
  messages: readonly ShownMessage[];
  viewer: Viewer;
  listenerName?: string | null;
  label: string;
  onRetry?: (message: ShownMessage) => void;
  emptyText?: string;
  /** Ids of messages that raised a crisis flag (shown to staff, marked in words, not only colour). */
  flagged?: readonly string[];
  words?: MessageWords;
}

/** The transcript. Every string is rendered as a text node (Preact escapes it); never as markup. */
export function MessageList({
  messages,
  viewer,
  listenerName,
  label,
  onRetry,
  emptyText,
  flagged,
  words = ENGLISH,
}: Props) {
  const listRef = useRef<HTMLOListElement>(null);
  const lastHeight = useRef(0);

  // Follow the newest message unless the reader scrolled up. Whether they did is judged against the
  // height the list had before this update: a scroll event (which arrives a frame late) would compare
  // the old position with the new, taller content and wrongly let go when messages come quickly.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const following = list.scrollTop + list.clientHeight >= lastHeight.current - 48;
    if (following) list.scrollTop = list.scrollHeight;
    lastHeight.current = list.scrollHeight;
  }, [messages]);

  return (
    <ol class="messages" ref={listRef} tabIndex={0} aria-label={label}>
      {messages.length === 0 && emptyText ? <li class="messages__empty">{emptyText}</li> : null}
      {messages.map((m) => {
        const own = m.sender === viewer;
        const status = deliveryText(m, words);
        const classes = [
          "message",
          own ? "message--own" : "message--other",
          `message--${m.sender}`,
          m.visibility === "staff" ? "message--whisper" : "",
          m.delivery ? `message--${m.delivery}` : "",
          flagged?.includes(m.id) ? "message--flagged" : "",
        ]
          .filter(Boolean)
          .join(" ");
        return (
          <li key={m.id} class={classes} data-sender={m.sender} data-visibility={m.visibility}>
            <div class="message__meta">
              <span class="message__sender">{senderLabel(m, viewer, listenerName, words)}</span>
              {flagged?.includes(m.id) ? <span class="message__flag">Raised the crisis flag</span> : null}
              <time class="message__time" dateTime={m.sent_at}>
                {formatClock(m.sent_at)}
              </time>
            </div>
            <p class="message__text">{m.text}</p>
            {status ? (
              <p class="message__status">
                {status}
                {m.delivery === "failed" && onRetry ? (
                  <button type="button" class="link-button" onClick={() => onRetry(m)}>
                    {words.tryAgain}
                  </button>
                ) : null}
              </p>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
