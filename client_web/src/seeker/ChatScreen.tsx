import { useState } from "preact/hooks";
import { Composer } from "../shared/components/Composer";
import { MessageList } from "../shared/components/MessageList";
import { TypingIndicator } from "../shared/components/TypingIndicator";
import type { ShownMessage } from "../shared/messages";

interface Props {
  ended: boolean;
  endedBy: string | null;
  listenerName: string | null;
  listenerTyping: boolean;
  messages: readonly ShownMessage[];
  offline: boolean;
  onSend: (text: string) => void;
  onTyping: (typing: boolean) => void;
  onRetry: (message: ShownMessage) => void;
  onEnd: () => void;
  onNewChat: () => void;
}

const ENDED_BY: Record<string, string> = {
  seeker: "You ended the chat.",
  listener: "The listener ended the chat.",
  supervisor: "The chat was ended by a supervisor.",
  system: "The chat has ended.",
};

/** The conversation with a listener, and what is left of it after it ends. */
export function ChatScreen(props: Props) {
  const { ended, endedBy, listenerName, listenerTyping, messages, offline } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <section class="chat" aria-labelledby="chat-title">
      <div class="chat__head">
        <h1 id="chat-title">{ended ? "Chat ended" : listenerName ? `Chatting with ${listenerName}` : "Your chat"}</h1>
        {!ended ? (
          confirming ? (
            <div class="confirm" role="group" aria-label="End the chat?">
              <span>End the chat?</span>
              <button type="button" class="button button--danger" onClick={() => { setConfirming(false); props.onEnd(); }}>
                Yes, end
              </button>
              <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
                Keep chatting
              </button>
            </div>
          ) : (
            <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
              End chat
            </button>
          )
        ) : null}
      </div>
      <MessageList
        messages={messages}
        viewer="seeker"
        listenerName={listenerName}
        label="Conversation"
        onRetry={props.onRetry}
        emptyText={ended ? undefined : "Say hello whenever you're ready."}
      />
      {ended ? (
        <div class="ended card">
          <p>{ENDED_BY[endedBy ?? "system"] ?? ENDED_BY.system} Thank you for reaching out.</p>
          <button type="button" class="button button--primary" onClick={props.onNewChat}>
            Start a new chat
          </button>
        </div>
      ) : (
        <>
          <TypingIndicator who={listenerTyping ? (listenerName ?? "The listener") : null} />
          <Composer
            id="seeker-message"
            label="Your message"
            onSend={props.onSend}
            onTyping={props.onTyping}
            disabledReason={offline ? "Offline: your message will be sent when you reconnect." : undefined}
          />
          {offline ? <p class="composer__hint">Offline: messages you send now are kept and sent when you reconnect.</p> : null}
        </>
      )}
    </section>
  );
}
