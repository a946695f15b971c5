import { useState } from "preact/hooks";
import { Composer } from "../shared/components/Composer";
import { MessageList } from "../shared/components/MessageList";
import { RiskBadge } from "../shared/components/RiskBadge";
import { TypingIndicator } from "../shared/components/TypingIndicator";
import { labelFor } from "../shared/format";
import type { ShownMessage } from "../shared/messages";
import type { Language, Topic } from "../shared/protocol";
import type { ListenerChat } from "./controller";
import { CrisisSupport } from "./CrisisSupport";
import { EscalateForm } from "./EscalateForm";

interface Props {
  chat: ListenerChat;
  topics: readonly Topic[];
  languages: readonly Language[];
  onSend: (text: string) => void;
  onTyping: (typing: boolean) => void;
  onRetry: (message: ShownMessage) => void;
  onEscalate: (reason: string, severity: "high" | "imminent", showResources: boolean) => Promise<string | null>;
  onEnd: () => void;
  onClose: () => void;
}

/** One conversation: transcript (with supervisor whispers), typing, reply, escalate, end. */
export function ChatPanel({ chat, topics, languages, onSend, onTyping, onRetry, onEscalate, onEnd, onClose }: Props) {
  const [escalating, setEscalating] = useState(false);
  const [confirmEnd, setConfirmEnd] = useState(false);
  const id = chat.conversation.conversation_id;
  const closed = chat.endedBy !== null || chat.released !== null;
  const severity = chat.risk?.severity ?? chat.conversation.severity;
  const topic = labelFor(topics, chat.conversation.topic);
  return (
    <article class="chat-panel" aria-label={`Chat about ${topic}`} data-conversation={id}>
      <header class="chat-panel__head">
        <div>
          <h3 class="chat-panel__title">{topic}</h3>
          <p class="muted">
            {labelFor(languages, chat.conversation.language)} · <RiskBadge severity={severity} category={chat.risk?.category} />
          </p>
        </div>
        {!closed ? (
          <div class="actions">
            <button type="button" class="button button--danger" aria-expanded={escalating} onClick={() => setEscalating(!escalating)}>
              Escalate
            </button>
            {confirmEnd ? (
              <span class="confirm" role="group" aria-label="End this chat?">
                <button type="button" class="button button--secondary" onClick={() => { setConfirmEnd(false); onEnd(); }}>
                  Yes, end chat
                </button>
                <button type="button" class="button button--ghost" onClick={() => setConfirmEnd(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button type="button" class="button button--secondary" onClick={() => setConfirmEnd(true)}>
                End chat
              </button>
            )}
          </div>
        ) : (
          <button type="button" class="button button--secondary" onClick={onClose}>
            Close
          </button>
        )}
      </header>
      {escalating && !closed ? (
        <EscalateForm idPrefix={`esc-${id}`} onSubmit={onEscalate} onCancel={() => setEscalating(false)} />
      ) : null}
      {chat.notice && !closed ? (
        <p class="notice notice--warning" role="alert" data-testid="listener-notice">
          {chat.notice}
        </p>
      ) : null}
      {chat.risk && !closed ? <CrisisSupport id={id} risk={chat.risk} notice={chat.notice} /> : null}
      {chat.hint && !chat.risk && !closed ? (
        <p class="notice" role="status" data-testid="listener-hint">
          {chat.hint}
        </p>
      ) : null}
      <MessageList
        messages={chat.messages}
        viewer="listener"
        label={`Messages about ${topic}`}
        onRetry={onRetry}
        flagged={chat.risk?.messageIds}
      />
      {chat.endedBy ? (
        <p class="notice" role="status">
          {chat.endedBy === "seeker" ? "The seeker ended the chat." : chat.endedBy === "listener" ? "You ended the chat." : "The chat has ended."}
        </p>
      ) : null}
      {chat.released ? (
        <p class="notice" role="status">
          {chat.released}
        </p>
      ) : null}
      {!closed ? (
        <>
          <TypingIndicator who={chat.seekerTyping ? "The seeker" : null} />
          <Composer id={`reply-${id}`} label="Reply to the seeker" onSend={onSend} onTyping={onTyping} />
        </>
      ) : null}
    </article>
  );
}
