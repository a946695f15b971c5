import type { Escalation, Language, Topic } from "../shared/protocol";
import { alertSummary } from "./controller";

interface Props {
  escalations: readonly Escalation[];
  topics: readonly Topic[];
  languages: readonly Language[];
  onAck: (id: string) => void;
  onOpen: (conversationId: string) => void;
}

const RANK: Record<string, number> = { imminent: 0, high: 1, none: 2 };

/** A banner across the dashboard while any crisis is not acknowledged: the most serious, oldest first.
 * A card in a list is easy to miss; this is not. */
export function AlertBanner({ escalations, topics, languages, onAck, onOpen }: Props) {
  const open = escalations
    .filter((e) => e.status === "open")
    .sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.created_at.localeCompare(b.created_at));
  if (open.length === 0) return null;
  const first = open[0];
  return (
    <div class={`alert-banner alert-banner--${first.severity}`} role="alert" data-testid="alert-banner">
      <p class="alert-banner__text">
        <strong>Crisis alert: </strong>
        {alertSummary(first, topics, languages)}
        {first.source === "listener" ? " (raised by the listener)" : ""}
        {open.length > 1 ? ` · ${open.length - 1} more not acknowledged` : ""}
      </p>
      <div class="actions">
        <button type="button" class="button button--danger" onClick={() => onAck(first.escalation_id)}>
          Acknowledge
        </button>
        {first.conversation_id ? (
          <button type="button" class="button button--secondary" onClick={() => onOpen(first.conversation_id)}>
            Open conversation
          </button>
        ) : null}
      </div>
    </div>
  );
}
