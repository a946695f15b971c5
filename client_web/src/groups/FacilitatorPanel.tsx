import { useEffect, useMemo, useState } from "preact/hooks";
import { useStore } from "../shared/store";
import { FacilitatorController } from "./facilitator";
import { RoomView } from "./RoomView";

/** Support groups in the listener console, for accounts that facilitate: nothing is shown to others. */
export function FacilitatorPanel({ token }: { token: string }) {
  const controller = useMemo(() => new FacilitatorController(token), [token]);
  const state = useStore(controller.store);
  const room = useStore(controller.room.store);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  useEffect(() => {
    controller.start();
    return () => controller.close();
  }, [controller]);

  if (!state.loaded || (state.groups.length === 0 && !room.session)) return null;
  const members = room.members.filter((m) => m.role === "member");
  return (
    <section class="card facilitation" aria-labelledby="facilitation-title">
      <h2 id="facilitation-title">Support groups you facilitate</h2>
      {state.risks.map((r) => (
        <div key={r.escalation_id} class="notice notice--warning" role="alert" data-testid="group-risk">
          <p>
            <strong>Risk in the group: </strong>“{r.alias}” — {r.severity} risk{r.category ? `, ${r.category.replace(/_/g, " ")}` : ""}.
            They were shown crisis resources privately and supervisors have been alerted.
          </p>
          <div class="actions">
            <button type="button" class="button button--primary" onClick={() => void controller.invite(r.member_id, r.session_id)}>
              Invite “{r.alias}” to a one-to-one
            </button>
            <button type="button" class="button button--ghost" onClick={() => controller.dismissRisk(r.escalation_id)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
      {state.reports.length > 0 ? (
        <div class="notice" role="status">
          <h3>Reported messages</h3>
          <ul>
            {state.reports.map((r) => (
              <li key={r.report_id}>
                Message #{r.seq} from “{r.alias}”, reported by “{r.reported_by}”{r.reason ? `: ${r.reason}` : ""}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {state.notice ? (
        <p role="status" class="muted">
          {state.notice}{" "}
          <button type="button" class="link-button" onClick={() => controller.dismissNotice()}>
            Dismiss
          </button>
        </p>
      ) : null}
      <ul class="group-list">
        {state.groups.map((g) => (
          <li key={g.group_id} class="group-list__item">
            <h3>{g.title}</h3>
            <ul>
              {(g.sessions ?? []).map((s) => (
                <li key={s.session_id}>
                  {s.state === "open" ? "Open now" : new Date(s.starts_at).toLocaleString()} · {s.seats_left} of {s.capacity} seats left{" "}
                  {s.state === "open" && room.session?.session_id !== s.session_id ? (
                    <button type="button" class="button button--secondary button--small" onClick={() => void controller.open(s.session_id)}>
                      Open the room<span class="visually-hidden"> of {g.title}</span>
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
            <button type="button" class="button button--ghost button--small" onClick={() => void controller.dropIn(g.group_id)}>
              Start a drop-in now<span class="visually-hidden"> for {g.title}</span>
            </button>
          </li>
        ))}
      </ul>
      {room.session ? (
        <>
          <RoomView
            room={room}
            onSend={(text) => controller.room.send(text)}
            onTyping={(t) => controller.room.typing(t)}
            messageActions={(m) =>
              m.role === "member" ? (
                <button type="button" class="link-button" onClick={() => { setDeleting(m.id); setReason(""); }}>
                  Delete<span class="visually-hidden"> the message from {m.alias}</span>
                </button>
              ) : null
            }
          >
            {deleting ? (
              <form
                class="actions"
                onSubmit={(e) => {
                  e.preventDefault();
                  void controller.deleteMessage(deleting, reason.trim()).then((ok) => ok && setDeleting(null));
                }}
              >
                <label for="delete-reason">Why delete it (supervisors see this)</label>
                <input id="delete-reason" type="text" maxLength={2000} value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
                <button type="submit" class="button button--danger button--small" disabled={!reason.trim()}>
                  Delete for everyone
                </button>
                <button type="button" class="button button--ghost button--small" onClick={() => setDeleting(null)}>
                  Cancel
                </button>
              </form>
            ) : null}
          </RoomView>
          <div class="card">
            <h3>Members</h3>
            {members.length === 0 ? <p class="muted">Nobody has joined yet.</p> : null}
            <ul class="group-members">
              {members.map((m) => (
                <li key={m.member_id} data-member={m.alias}>
                  {m.alias}
                  {m.muted ? " (muted)" : ""}{" "}
                  <button type="button" class="button button--ghost button--small" onClick={() => void controller.mute(m.member_id, !m.muted)}>
                    {m.muted ? "Unmute" : "Mute"}<span class="visually-hidden"> {m.alias}</span>
                  </button>
                  <button type="button" class="button button--ghost button--small" onClick={() => void controller.remove(m.member_id)}>
                    Remove<span class="visually-hidden"> {m.alias}</span>
                  </button>
                  <button type="button" class="button button--ghost button--small" onClick={() => void controller.invite(m.member_id)}>
                    Invite to a one-to-one<span class="visually-hidden">: {m.alias}</span>
                  </button>
                </li>
              ))}
            </ul>
            {!room.ended ? (
              <div class="actions">
                <button type="button" class="button button--secondary" onClick={() => void controller.pin(!room.pinned)}>
                  {room.pinned ? "Unpin the guidelines" : "Pin the guidelines"}
                </button>
                <button type="button" class="button button--danger" onClick={() => void controller.end()}>
                  End the session
                </button>
              </div>
            ) : null}
          </div>
        </>
      ) : null}
    </section>
  );
}
