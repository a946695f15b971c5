import { useNow } from "../shared/useNow";
import type { SupervisorController, SupervisorState } from "./controller";
import { EscalationItem } from "./EscalationItem";

const STATUS_ORDER = { open: 0, acknowledged: 1, resolved: 2 } as const;
const SEVERITY_ORDER = { imminent: 0, high: 1, none: 2 } as const;

interface Props {
  state: SupervisorState;
  controller: SupervisorController;
}

/** Live escalations: unacknowledged first, then most severe, then oldest. */
export function EscalationList({ state, controller }: Props) {
  const now = useNow(1000);
  const all = Object.values(state.escalations);
  const shown = all
    .filter((e) => state.showResolved || e.status !== "resolved")
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.created_at.localeCompare(b.created_at),
    );
  const unacked = all.filter((e) => e.status === "open").length;
  return (
    <section class="card escalations" aria-labelledby="escalations-title">
      <div class="section-head">
        <h2 id="escalations-title">
          Escalations{" "}
          <span class={unacked > 0 ? "count count--alert" : "count"}>({unacked} not acknowledged)</span>
        </h2>
        <div class="checkbox">
          <input
            id="show-resolved"
            type="checkbox"
            checked={state.showResolved}
            onChange={(e) => controller.setShowResolved((e.currentTarget as HTMLInputElement).checked)}
          />
          <label for="show-resolved">Show resolved</label>
        </div>
      </div>
      {shown.length === 0 ? (
        <p class="muted">No escalations right now.</p>
      ) : (
        <ul class="escalation-list">
          {shown.map((e) => (
            <EscalationItem
              key={e.escalation_id}
              escalation={e}
              topics={state.topics}
              languages={state.languages}
              now={now}
              watching={Boolean(e.conversation_id && state.chats[e.conversation_id])}
              onAck={() => void controller.ack(e.escalation_id)}
              onOpen={() => void controller.open(e.conversation_id)}
              onResolve={(outcome, note) => controller.resolve(e.escalation_id, outcome, note)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
