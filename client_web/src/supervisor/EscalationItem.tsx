import { useState } from "preact/hooks";
import { RiskBadge } from "../shared/components/RiskBadge";
import { ageSeconds, formatDuration } from "../shared/format";
import { labelFor } from "../shared/format";
import type { Escalation, Language, Outcome, Topic } from "../shared/protocol";
import { ResolveForm } from "./ResolveForm";

interface Props {
  escalation: Escalation;
  topics: readonly Topic[];
  languages: readonly Language[];
  now: number;
  watching: boolean;
  onAck: () => void;
  onOpen: () => void;
  onResolve: (outcome: Outcome, note: string) => Promise<string | null>;
}

/** Evidence is a list of `{text, category, severity}` (detector) or a string; shown as text only. */
function evidenceText(evidence: unknown): string | null {
  if (typeof evidence === "string") return evidence || null;
  if (!Array.isArray(evidence)) return null;
  const parts = evidence
    .map((item) => (typeof item === "string" ? item : typeof item?.text === "string" ? (item.text as string) : null))
    .filter((text): text is string => Boolean(text));
  return parts.length > 0 ? parts.map((p) => `“${p}”`).join(" · ") : null;
}

const STATUS: Record<string, string> = { open: "Not acknowledged", acknowledged: "Acknowledged", resolved: "Resolved" };

/** One escalation: what, how serious, how old, and what a supervisor can do about it. */
export function EscalationItem({ escalation: e, topics, languages, now, watching, onAck, onOpen, onResolve }: Props) {
  const [resolving, setResolving] = useState(false);
  const evidence = evidenceText(e.evidence);
  return (
    <li class={`escalation escalation--${e.status} escalation--${e.severity}`} data-escalation={e.escalation_id} data-status={e.status}>
      <div class="escalation__head">
        <RiskBadge severity={e.severity} category={e.category} />
        <span class={`status status--${e.status}`}>{STATUS[e.status] ?? e.status}</span>
        <span class="muted">{formatDuration(ageSeconds(e.created_at, now))} ago</span>
        {e.updated_at ? <span class="muted"> · updated {formatDuration(ageSeconds(e.updated_at, now))} ago</span> : null}
      </div>
      {e.topic || e.language ? (
        <p class="escalation__where">
          {[e.topic ? labelFor(topics, e.topic) : null, e.language ? labelFor(languages, e.language) : null]
            .filter(Boolean)
            .join(" · ")}
        </p>
      ) : null}
      {e.group ? (
        <p class="escalation__where" data-testid="escalation-group">
          Support group “{e.group.title}” · member “{e.group.alias}”
        </p>
      ) : null}
      <p class="escalation__meta">
        {e.source === "listener" ? "Raised by the listener" : "Flagged by the detector"}
        {e.taken_over_by
          ? ` · taken over by ${e.taken_over_by.display_name}`
          : e.listener
            ? ` · listener: ${e.listener.display_name}`
            : e.group
              ? " · the group's facilitators were told"
              : " · no listener yet"}
        {e.acknowledged_by && e.status !== "open" ? ` · acknowledged by ${e.acknowledged_by.display_name}` : ""}
      </p>
      {evidence ? <p class="escalation__evidence">{evidence}</p> : null}
      {e.status === "resolved" && e.outcome ? <p class="muted">Outcome: {e.outcome.replace(/_/g, " ")}</p> : null}
      <div class="actions">
        {e.status === "open" ? (
          <button type="button" class="button button--danger" onClick={onAck}>
            Acknowledge
          </button>
        ) : null}
        {e.conversation_id ? (
          <button type="button" class="button button--secondary" onClick={onOpen} disabled={watching}>
            {watching ? "Open below" : "Open conversation"}
          </button>
        ) : null}
        {e.status !== "resolved" && !resolving ? (
          <button type="button" class="button button--secondary" onClick={() => setResolving(true)}>
            Resolve…
          </button>
        ) : null}
      </div>
      {resolving && e.status !== "resolved" ? (
        <ResolveForm
          idPrefix={`resolve-${e.escalation_id}`}
          onSubmit={async (outcome, note) => {
            const problem = await onResolve(outcome, note);
            if (!problem) setResolving(false);
            return problem;
          }}
          onCancel={() => setResolving(false)}
        />
      ) : null}
    </li>
  );
}
