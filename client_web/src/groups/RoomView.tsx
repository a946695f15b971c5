import "./groups.css";
import { useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import type { GroupMessage } from "./protocol";
import type { RoomState } from "./room";

interface Props {
  room: RoomState;
  /** Actions shown under each message (report for members; delete for facilitators). */
  messageActions?: (m: GroupMessage) => ComponentChildren;
  onSend: (text: string) => Promise<string | null>;
  onTyping: (typing: boolean) => void;
  children?: ComponentChildren;
}

export function typingText(count: number): string | null {
  if (count <= 0) return null;
  return count === 1 ? "Someone is typing…" : `${count} people are typing…`;
}

function body(m: GroupMessage): string {
  if (m.erased) return "This member erased their messages.";
  if (m.deleted && m.text === null) return "Removed by a facilitator.";
  return m.text ?? "";
}

/** A group room: pinned guidelines, the messages in seq order under aliases (facilitators marked), who is typing
 * as a count, and a composer (closed while muted, removed or after the end). Text is rendered as text only. */
export function RoomView({ room, messageActions, onSend, onTyping, children }: Props) {
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const writable = !room.ended && !room.removed && !room.me?.muted;
  const typing = typingText(room.typing - (draft ? 1 : 0));
  const submit = async (e: Event) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text || busy) return;
    setBusy(true);
    const failed = await onSend(text);
    setBusy(false);
    setProblem(failed);
    if (!failed) {
      setDraft("");
      onTyping(false);
    }
  };
  const title = room.session?.title ?? "Support group";
  return (
    <section class="card group-room" aria-labelledby="group-room-title">
      <h2 id="group-room-title">{title}</h2>
      <p class="muted">
        {room.members.filter((m) => m.role === "member").length} in the room ·{" "}
        {room.members.filter((m) => m.role === "facilitator").map((m) => m.alias).join(", ") || "no facilitator yet"}
        {room.me ? ` · you are “${room.me.alias}”` : ""}
      </p>
      {room.pinned ? (
        <div class="notice group-room__pinned" role="note" aria-label="Pinned guidelines">
          <strong>Guidelines: </strong>
          {room.pinned}
        </div>
      ) : null}
      {children}
      <ol class="messages group-room__messages" aria-label="Messages" aria-live="polite">
        {room.messages.length === 0 ? <li class="messages__empty">No messages yet.</li> : null}
        {room.messages.map((m) => (
          <li
            key={m.seq}
            data-seq={m.seq}
            class={`message ${m.member_id === room.me?.member_id ? "message--own" : "message--other"}${m.deleted || m.erased ? " message--system" : ""}`}
          >
            <span class="message__meta">
              <span class="message__sender">{m.alias}</span>
              {m.role === "facilitator" ? <span class="badge badge--none"> Facilitator</span> : null}
            </span>
            <span class="message__text">{body(m)}</span>
            {m.deleted && m.text !== null ? (
              <span class="muted"> (deleted{m.delete_reason ? `: ${m.delete_reason}` : ""})</span>
            ) : null}
            {messageActions && !m.deleted && !m.erased ? <span class="actions">{messageActions(m)}</span> : null}
          </li>
        ))}
      </ol>
      {typing ? (
        <p class="typing" role="status">
          {typing}
        </p>
      ) : null}
      {room.removed ? <p role="alert">A facilitator removed you from this session.</p> : null}
      {room.ended ? <p role="status">This session has ended.</p> : null}
      {room.me?.muted && !room.removed ? <p role="status">A facilitator muted you: you can still read along.</p> : null}
      {writable ? (
        <form class="composer" onSubmit={submit}>
          <label for="group-composer" class="visually-hidden">
            Message to the group
          </label>
          <div class="composer__row">
            <textarea
              id="group-composer"
              class="composer__input"
              rows={2}
              maxLength={4000}
              value={draft}
              onInput={(e) => {
                const value = (e.currentTarget as HTMLTextAreaElement).value;
                setDraft(value);
                onTyping(value.length > 0);
              }}
            />
            <button type="submit" class="button button--primary" disabled={busy || !draft.trim()}>
              Send
            </button>
          </div>
          {problem ? <p class="composer__hint composer__hint--error">{problem}</p> : null}
        </form>
      ) : null}
    </section>
  );
}
