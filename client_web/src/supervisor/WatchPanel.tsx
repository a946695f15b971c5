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

/** A conversation watched live: whisper to the listener, write to the seeker, or take over. */
export function WatchPanel({ chat, topics, languages, onSend, onRetry, onTakeOver, onClose }: Props) {
  const id = chat.conversation.conversation_id;
  const [visibility, setVisibility] = useState<Visibility>(chat.takenOver ? "all" : "staff");
  const [confirmTake, setConfirmTake] = useState(false);
  const listenerName = chat.conversation.listener?.display_name ?? null;
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
            {listenerName ? ` · listener: ${listenerName}` : " · no listener"}
            {chat.takenOver ? " · you are the responder" : ""} · <RiskBadge severity={chat.conversation.severity} />
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
        listenerName={listenerName}
        label={`Messages about ${topic}`}
        onRetry={onRetry}
      />
      {ended ? (
        <p class="notice" role="status">
          This conversation has ended.
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
          </Composer>
        </>
      )}
    </article>
  );
}
