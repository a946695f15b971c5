import { useEffect, useMemo, useState } from "preact/hooks";
import { CrisisResourceList } from "../shared/components/CrisisResourceList";
import { useStore } from "../shared/store";
import type { GroupSession } from "./protocol";
import { RoomView } from "./RoomView";
import { SeekerGroupsController } from "./seeker";

function when(s: GroupSession): string {
  if (s.state === "open") return s.drop_in ? "Open now (drop-in)" : "Open now";
  // the seeker's own time zone: the browser's
  return new Date(s.starts_at).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

/** Support groups in the widget: open and upcoming sessions, joining under an alias after the guidelines,
 * the room itself, and the private crisis panel and invitation. */
export function SeekerGroups({ onBack }: { onBack: () => void }) {
  const controller = useMemo(() => new SeekerGroupsController(), []);
  const state = useStore(controller.store);
  const room = useStore(controller.room.store);
  const [alias, setAlias] = useState("");
  const [accepted, setAccepted] = useState(false);
  const [erase, setErase] = useState(false);
  useEffect(() => {
    void controller.start();
    return () => controller.close();
  }, []);

  return (
    <div class="groups">
      {state.crisis ? (
        <section class="card crisis" role="alert" aria-labelledby="group-crisis-title">
          <h2 id="group-crisis-title">You don't have to face this alone</h2>
          <p>Only you can see this. If you are in danger now, reach out:</p>
          <CrisisResourceList resources={state.crisis} />
        </section>
      ) : null}
      {state.invited ? (
        <div class="notice card" role="alert">
          <p>A facilitator invited you to a private one-to-one chat with a peer listener.</p>
          <button type="button" class="button button--primary" onClick={() => controller.acceptInvite()}>
            Talk one-to-one now
          </button>
        </div>
      ) : null}
      {state.view === "list" ? (
        <section class="card" aria-labelledby="groups-title">
          <h2 id="groups-title">Support groups</h2>
          <p class="muted">Small groups led by a trained peer. You choose the name the others see.</p>
          {state.error ? <p class="error" role="alert">{state.error}</p> : null}
          {state.loading ? <p role="status">Loading…</p> : null}
          {!state.loading && state.sessions.length === 0 ? <p>No group sessions are open or coming up right now.</p> : null}
          <ul class="group-list">
            {state.sessions.map((s) => (
              <li key={s.session_id} class="group-list__item">
                <h3>{s.title}</h3>
                {s.description ? <p>{s.description}</p> : null}
                <p class="muted">
                  {when(s)} · {s.duration_min} min · {s.seats_left} of {s.capacity} seats left
                </p>
                <button
                  type="button"
                  class="button button--secondary"
                  disabled={s.seats_left === 0 || s.state !== "open"}
                  onClick={() => controller.choose(s)}
                >
                  {s.state === "open" ? `Join ${s.title}` : "Not open yet"}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" class="button button--ghost" onClick={onBack}>
            Back
          </button>
        </section>
      ) : null}
      {state.view === "join" && state.choice ? (
        <section class="card" aria-labelledby="join-title">
          <h2 id="join-title">Join {state.choice.title}</h2>
          <h3>Guidelines</h3>
          <p class="group-guidelines">{state.choice.guidelines || "Be kind and respectful."}</p>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void controller.join(alias, accepted);
            }}
          >
            <div class="field">
              <label for="group-alias">The name others will see</label>
              <input id="group-alias" type="text" maxLength={32} autoComplete="off" value={alias} onInput={(e) => setAlias((e.currentTarget as HTMLInputElement).value)} />
            </div>
            <div class="checkbox">
              <input id="group-accept" type="checkbox" checked={accepted} onChange={(e) => setAccepted((e.currentTarget as HTMLInputElement).checked)} />
              <label for="group-accept">I have read and accept the guidelines</label>
            </div>
            {state.error ? <p class="error" role="alert">{state.error}</p> : null}
            <div class="actions">
              <button type="submit" class="button button--primary" disabled={!alias.trim() || !accepted}>
                Join the group
              </button>
              <button type="button" class="button button--ghost" onClick={() => controller.choose(null)}>
                Back to the list
              </button>
            </div>
          </form>
        </section>
      ) : null}
      {state.view === "room" ? (
        <>
          <RoomView
            room={room}
            onSend={(text) => controller.room.send(text)}
            onTyping={(t) => controller.room.typing(t)}
            messageActions={(m) =>
              m.member_id !== room.me?.member_id ? (
                <button type="button" class="link-button" onClick={() => void controller.room.report(m.id)}>
                  Report<span class="visually-hidden"> the message from {m.alias}</span>
                </button>
              ) : null
            }
          />
          <div class="card actions">
            <div class="checkbox">
              <input id="group-erase" type="checkbox" checked={erase} onChange={(e) => setErase((e.currentTarget as HTMLInputElement).checked)} />
              <label for="group-erase">Also erase my messages</label>
            </div>
            <button type="button" class="button button--secondary" onClick={() => void controller.leave(erase)}>
              Leave the group
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
