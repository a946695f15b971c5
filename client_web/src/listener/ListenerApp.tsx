import { useMemo } from "preact/hooks";
import { ConnectionBanner } from "../shared/components/ConnectionBanner";
import { LiveAnnouncer } from "../shared/components/LiveAnnouncer";
import { LoginForm } from "../shared/components/LoginForm";
import { useStore } from "../shared/store";
import { FacilitatorPanel } from "../groups/FacilitatorPanel";
import { ChatArea } from "./ChatArea";
import { ListenerController } from "./controller";
import { QueueTable } from "./QueueTable";
import { StatusControls } from "./StatusControls";

export function ListenerApp() {
  const controller = useMemo(() => new ListenerController(), []);
  const state = useStore(controller.store);

  if (!state.auth) {
    return (
      <LoginForm
        title="Peerline — listener console"
        intro="Sign in to support seekers."
        notice={state.notice}
        onLogin={(u, p) => controller.login(u, p)}
      />
    );
  }

  return (
    <div class="console">
      <header class="app-header">
        <h1 class="app-header__title">Listener console</h1>
        <StatusControls
          status={state.status}
          maxChats={state.maxChats}
          onChange={(status, max) => void controller.setStatus(status, max)}
        />
        <div class="app-header__user">
          <div class="checkbox">
            <input
              id="sound"
              type="checkbox"
              checked={state.soundOn}
              onChange={(e) => controller.setSound((e.currentTarget as HTMLInputElement).checked)}
            />
            <label for="sound">Sound alerts</label>
          </div>
          <span class="muted">Signed in as {state.auth.username}</span>
          <button type="button" class="button button--ghost" onClick={() => controller.logout()}>
            Sign out
          </button>
        </div>
      </header>
      <ConnectionBanner connection={state.connection} offlineText="Offline — reconnecting. Replies are kept and sent when the connection is back." />
      {state.notice ? (
        <div class="notice card" role="alert">
          <p>{state.notice}</p>
          <button type="button" class="button button--secondary" onClick={() => controller.dismissNotice()}>
            Dismiss
          </button>
        </div>
      ) : null}
      {state.status === "away" && state.connection === "online" ? (
        <div class="notice card away-prompt" role="status" data-testid="away-prompt">
          <p>
            You're <strong>Away</strong>: no chats will be assigned to you. When you're ready to support someone, set
            yourself Available.
          </p>
          <button
            type="button"
            class="button button--primary"
            onClick={() => void controller.setStatus("available", state.maxChats)}
          >
            I'm ready: set me Available
          </button>
        </div>
      ) : null}
      <main id="main" class="console__main">
        <QueueTable
          queue={state.queue}
          receivedAt={state.queueAt}
          topics={state.topics}
          languages={state.languages}
          onTake={(id) => void controller.take(id)}
        />
        <ChatArea state={state} controller={controller} />
        <FacilitatorPanel token={state.auth.token} />
      </main>
      <LiveAnnouncer announcements={state.announcements} />
    </div>
  );
}
