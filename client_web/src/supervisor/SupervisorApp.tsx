import { useMemo } from "preact/hooks";
import { ConnectionBanner } from "../shared/components/ConnectionBanner";
import { LiveAnnouncer } from "../shared/components/LiveAnnouncer";
import { LoginForm } from "../shared/components/LoginForm";
import { useStore } from "../shared/store";
import { SupervisorController } from "./controller";
import { AlertBanner } from "./AlertBanner";
import { EscalationList } from "./EscalationList";
import { OverviewPanel } from "./OverviewPanel";
import { WatchPanel } from "./WatchPanel";

export function SupervisorApp() {
  const controller = useMemo(() => new SupervisorController(), []);
  const state = useStore(controller.store);

  if (!state.auth) {
    return (
      <LoginForm
        title="Peerline — supervisor dashboard"
        intro="Sign in to watch for crises and support listeners."
        notice={state.notice}
        onLogin={(u, p) => controller.login(u, p)}
      />
    );
  }

  return (
    <div class="console">
      <header class="app-header">
        <h1 class="app-header__title">Supervisor dashboard</h1>
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
      <ConnectionBanner connection={state.connection} offlineText="Offline — reconnecting. Alerts may be delayed until the connection is back." />
      <AlertBanner
        escalations={Object.values(state.escalations)}
        topics={state.topics}
        languages={state.languages}
        onAck={(id) => void controller.ack(id)}
        onOpen={(cid) => void controller.open(cid)}
      />
      {state.notice ? (
        <div class="notice card" role="alert">
          <p>{state.notice}</p>
          <button type="button" class="button button--secondary" onClick={() => controller.dismissNotice()}>
            Dismiss
          </button>
        </div>
      ) : null}
      <main id="main" class="console__main console__main--supervisor">
        <div class="column">
          <EscalationList state={state} controller={controller} />
          <OverviewPanel overview={state.overview} />
        </div>
        <section class="column watched" aria-labelledby="watched-title">
          <h2 id="watched-title">Conversations you are watching</h2>
          {state.order.length === 0 ? (
            <p class="muted card">Open a conversation from an escalation to watch it live.</p>
          ) : (
            state.order.map((id) => (
              <WatchPanel
                key={id}
                chat={state.chats[id]}
                topics={state.topics}
                languages={state.languages}
                onSend={(text, visibility) => controller.send(id, text, visibility)}
                onRetry={(m) => controller.retry(m)}
                onTakeOver={() => void controller.takeOver(id)}
                onClose={() => controller.close(id)}
              />
            ))
          )}
        </section>
      </main>
      <LiveAnnouncer announcements={state.announcements} />
    </div>
  );
}
