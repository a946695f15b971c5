import { useState } from "preact/hooks";
import { OUTCOMES, type Outcome } from "../shared/protocol";

const LABELS: Record<Outcome, string> = {
  false_alarm: "False alarm",
  de_escalated: "De-escalated",
  emergency_services: "Emergency services contacted",
  referred: "Referred to another service",
  other: "Other",
};

interface Props {
  idPrefix: string;
  onSubmit: (outcome: Outcome, note: string) => Promise<string | null>;
  onCancel: () => void;
}

/** Close an escalation with its outcome and a note. */
export function ResolveForm({ idPrefix, onSubmit, onCancel }: Props) {
  const [outcome, setOutcome] = useState<Outcome>("de_escalated");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (outcome === "other" && !note.trim()) {
      setError("Add a note that says what happened.");
      return;
    }
    setBusy(true);
    setError(null);
    const problem = await onSubmit(outcome, note.trim());
    setBusy(false);
    if (problem) setError(problem);
  };

  return (
    <form class="resolve" onSubmit={submit} aria-label="Resolve escalation">
      <div class="field">
        <label for={`${idPrefix}-outcome`}>Outcome</label>
        <select
          id={`${idPrefix}-outcome`}
          value={outcome}
          onChange={(e) => setOutcome((e.currentTarget as HTMLSelectElement).value as Outcome)}
        >
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {LABELS[o]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${idPrefix}-note`}>Note</label>
        <textarea
          id={`${idPrefix}-note`}
          rows={2}
          maxLength={2000}
          value={note}
          onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? "Resolving…" : "Resolve"}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
