import { useState } from "preact/hooks";
import { Composer } from "../shared/components/Composer";
import { MessageList } from "../shared/components/MessageList";
import { TypingIndicator } from "../shared/components/TypingIndicator";
import type { ShownMessage } from "../shared/messages";
import { t } from "./i18n";

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


/** The conversation with a listener, and what is left of it after it ends. */
export function ChatScreen(props: Props) {
  const { ended, endedBy, listenerName, listenerTyping, messages, offline } = props;
  const [confirming, setConfirming] = useState(false);
  return (
    <section class="chat" aria-labelledby="chat-title">
      <div class="chat__head">
        <h1 id="chat-title">{ended ? t().chatEnded : listenerName ? t().chattingWith(listenerName) : t().yourChat}</h1>
        {!ended ? (
          confirming ? (
            <div class="confirm" role="group" aria-label={t().endChatQuestion}>
              <span>{t().endChatQuestion}</span>
              <button type="button" class="button button--danger" onClick={() => { setConfirming(false); props.onEnd(); }}>
                {t().yesEnd}
              </button>
              <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
                {t().keepChatting}
              </button>
            </div>
          ) : (
            <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
              {t().endChat}
            </button>
          )
        ) : null}
      </div>
      <MessageList
        messages={messages}
        viewer="seeker"
        listenerName={listenerName}
        label={t().conversation}
        words={{
          you: t().you,
          listener: t().listenerLabel,
          supervisor: t().supervisorLabel,
          system: t().peerline,
          sending: t().sending,
          queued: t().queued,
          notSent: t().notSent,
          tryAgain: t().tryAgain,
        }}
        onRetry={props.onRetry}
        emptyText={ended ? undefined : t().sayHello}
      />
      {ended ? (
        <div class="ended card">
          <p>
            {t().endedBy[endedBy ?? "system"] ?? t().endedBy.system} {t().thanks}
          </p>
          <button type="button" class="button button--primary" onClick={props.onNewChat}>
            {t().newChat}
          </button>
        </div>
      ) : (
        <>
          <TypingIndicator who={listenerTyping ? (listenerName ?? t().theListener) : null} format={t().isTyping} />
          <Composer
            id="seeker-message"
            label={t().yourMessage}
            sendLabel={t().send}
            keysHint={t().keysHint}
            tooLongText={t().tooLong}
            onSend={props.onSend}
            onTyping={props.onTyping}
            disabledReason={offline ? t().offlineSend : undefined}
          />
          {offline ? <p class="composer__hint">{t().offlineKept}</p> : null}
        </>
      )}
    </section>
  );
}
