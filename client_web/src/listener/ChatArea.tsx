import { labelFor } from "../shared/format";
import type { ListenerController, ListenerState } from "./controller";
import { ChatPanel } from "./ChatPanel";

interface Props {
  state: ListenerState;
  controller: ListenerController;
}

/** The listener's chats, as tabs or side by side. */
export function ChatArea({ state, controller }: Props) {
  const { order, chats, activeId, layout, topics, languages } = state;
  if (order.length === 0) {
    return (
      <section class="card chats chats--empty" aria-labelledby="chats-title">
        <h2 id="chats-title">Your chats</h2>
        <p class="muted">No chats yet. Set yourself available, or take someone from the waiting list.</p>
      </section>
    );
  }

  const panel = (id: string) => {
    const chat = chats[id];
    return (
      <ChatPanel
        chat={chat}
        topics={topics}
        languages={languages}
        onSend={(text) => controller.send(id, text)}
        onTyping={(typing) => controller.typing(id, typing)}
        onRetry={(m) => controller.retry(m)}
        onEscalate={(reason, severity, show) => controller.escalate(id, reason, severity, show)}
        onEnd={() => void controller.endChat(id)}
        onClose={() => controller.closeChat(id)}
      />
    );
  };

  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = order[(index + step + order.length) % order.length];
    controller.activate(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <section class="chats" aria-labelledby="chats-title">
      <div class="section-head">
        <h2 id="chats-title">Your chats ({order.length})</h2>
        <div class="field field--inline">
          <label for="layout">Show</label>
          <select
            id="layout"
            value={layout}
            onChange={(e) => controller.setLayout((e.currentTarget as HTMLSelectElement).value as "tabs" | "side")}
          >
            <option value="tabs">As tabs</option>
            <option value="side">Side by side</option>
          </select>
        </div>
      </div>
      {layout === "tabs" ? (
        <>
          <div class="tabs" role="tablist" aria-label="Open chats">
            {order.map((id, index) => {
              const chat = chats[id];
              const selected = id === (activeId ?? order[0]);
              const severity = chat.risk?.severity ?? chat.conversation.severity;
              return (
                <button
                  key={id}
                  id={`tab-${id}`}
                  type="button"
                  role="tab"
                  class={`tab ${selected ? "tab--selected" : ""} ${severity !== "none" ? "tab--risk" : ""}`}
                  aria-selected={selected}
                  aria-controls={`panel-${id}`}
                  tabIndex={selected ? 0 : -1}
                  onClick={() => controller.activate(id)}
                  onKeyDown={(e) => onTabKey(e, index)}
                >
                  {labelFor(topics, chat.conversation.topic)}
                  {severity !== "none" ? <span class="tab__risk"> · {severity} risk</span> : null}
                  {chat.endedBy || chat.released ? <span class="tab__note"> · closed</span> : null}
                  {chat.unread > 0 ? <span class="tab__unread"> ({chat.unread} new)</span> : null}
                </button>
              );
            })}
          </div>
          {order.map((id) => (
            <div
              key={id}
              id={`panel-${id}`}
              role="tabpanel"
              aria-labelledby={`tab-${id}`}
              hidden={id !== (activeId ?? order[0])}
              class="tabpanel"
            >
              {panel(id)}
            </div>
          ))}
        </>
      ) : (
        <div class="side-by-side">
          {order.map((id) => (
            <div key={id} class="side-by-side__item">
              {panel(id)}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
