import { useState } from "preact/hooks";
import { Composer } from "../shared/components/Composer";
import { MessageList } from "../shared/components/MessageList";
import { RiskBadge } from "../shared/components/RiskBadge";
import { TypingIndicator } from "../shared/components/TypingIndicator";
import { labelFor } from "../shared/format";
import type { ShownMessage } from "../shared/messages";
import type { Language, Topic, Visibility } from "../shared/protocol";
import type { WatchedChat } from "./controller";

interface Props {
  chat: WatchedChat;
  topics: readonly Topic[];
  languages: readonly Language[];
  onSend: (text: string, visibility: Visibility) => void;
  onRetry: (message: ShownMessage) => void;
  onTakeOver: () => void;
  onClose: () => void;
}

/** Why a conversation ended, in words (the seeker's own end includes a Quick exit). */
function endedText(by: string | null, reason: string | null): string {
  switch (by) {
    case "seeker":
      return "The seeker ended the chat or left with Quick exit.";
    case "listener":
      return "The listener ended the chat.";
    case "supervisor":
      return "A supervisor ended the chat.";
    default:
      return reason === "seeker_left"
        ? "The seeker was away too long: the chat ended."
        : reason && /^[a-z_]+$/.test(reason)
          ? "The chat was ended by Peerline."
          : reason
            ? `The chat has ended: ${reason}.`
            : "This conversation has ended.";
  }
}

/** A conversation watched live: whisper to the listener, write to the seeker, or take over. */
export function WatchPanel({ chat, topics, languages, onSend, onRetry, onTakeOver, onClose }: Props) {
  const id = chat.conversation.conversation_id;
  const [chosen, setVisibility] = useState<Visibility>(chat.takenOver ? "all" : "staff");
  const [confirmTake, setConfirmTake] = useState(false);
  // After a take-over there is no listener: the responder named in the conversation is a supervisor.
  const supervised = chat.takenOver || chat.conversation.responder_role === "supervisor";
  const responderName = chat.conversation.listener?.display_name ?? null;
  const listenerName = supervised ? null : responderName;
  // A whisper needs a listener to read it; with none, everything written goes to the seeker.
  const canWhisper = listenerName !== null && !supervised;
  const visibility: Visibility = canWhisper ? chosen : "all";
  const topic = labelFor(topics, chat.conversation.topic);
  const ended = chat.endedBy !== null || chat.conversation.status === "ended";
  return (
    <article class="card watch" aria-labelledby={`watch-${id}`} data-conversation={id}>
      <header class="chat-panel__head">
        <div>
          <h3 id={`watch-${id}`} class="chat-panel__title" tabIndex={-1}>
            {topic}
          </h3>
          <p class="muted">
            {labelFor(languages, chat.conversation.language)} · {chat.conversation.status}
            {listenerName ? ` · listener: ${listenerName}` : supervised ? "" : " · no listener yet"}
            {chat.takenOver ? " · you took over: you are the responder" : supervised && responderName ? ` · taken over by ${responderName}` : ""} ·{" "}
            <RiskBadge severity={chat.conversation.severity} />
          </p>
        </div>
        <div class="actions">
          {!ended && !chat.takenOver ? (
            confirmTake ? (
              <span class="confirm" role="group" aria-label="Take over this conversation?">
                <button type="button" class="button button--danger" onClick={() => { setConfirmTake(false); setVisibility("all"); onTakeOver(); }}>
                  Yes, take over
                </button>
                <button type="button" class="button button--ghost" onClick={() => setConfirmTake(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" class="button button--secondary" onClick={() => setConfirmTake(true)}>
                Take over
              </button>
            )
          ) : null}
          <button type="button" class="button button--ghost" onClick={onClose}>
            Stop watching
          </button>
        </div>
      </header>
      <MessageList
        messages={chat.messages}
        viewer="supervisor"
        listenerName={null}
        label={`Messages about ${topic}`}
        onRetry={onRetry}
      />
      {ended ? (
        <p class="notice" role="status">
          {endedText(chat.endedBy, chat.endedReason)}
        </p>
      ) : (
        <>
          <TypingIndicator who={chat.typing === "seeker" ? "The seeker" : chat.typing === "listener" ? "The listener" : null} />
          <Composer
            id={`sup-${id}`}
            label={visibility === "staff" ? "Whisper to the listener" : "Message to the seeker"}
            sendLabel={visibility === "staff" ? "Whisper" : "Send"}
            onSend={(text) => onSend(text, visibility)}
          >
            {canWhisper ? (
            <fieldset class="visibility">
              <legend>Who sees it</legend>
              <div class="radio">
                <input
                  id={`vis-staff-${id}`}
                  type="radio"
                  name={`vis-${id}`}
                  checked={visibility === "staff"}
                  onChange={() => setVisibility("staff")}
                />
                <label for={`vis-staff-${id}`}>Only the listener (whisper)</label>
              </div>
              <div class="radio">
                <input
                  id={`vis-all-${id}`}
                  type="radio"
                  name={`vis-${id}`}
                  checked={visibility === "all"}
                  onChange={() => setVisibility("all")}
                />
                <label for={`vis-all-${id}`}>The seeker and the listener</label>
              </div>
            </fieldset>
            ) : (
              <p class="muted" data-testid="to-seeker">
                No listener is in this chat: what you write goes to the seeker.
              </p>
            )}
          </Composer>
        </>
      )}
    </article>
  );
}
