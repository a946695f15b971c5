import { useState } from "preact/hooks";

interface Props {
  idPrefix: string;
  onSubmit: (reason: string, severity: "high" | "imminent", showResources: boolean) => Promise<string | null>;
  onCancel: () => void;
}

/** Ask a supervisor for help with this chat. */
export function EscalateForm({ idPrefix, onSubmit, onCancel }: Props) {
  const [reason, setReason] = useState("");
  const [severity, setSeverity] = useState<"high" | "imminent">("high");
  const [showResources, setShowResources] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const problem = await onSubmit(reason.trim(), severity, showResources);
    setBusy(false);
    if (problem) setError(problem);
    else onCancel();
  };

  return (
    <form class="escalate card" onSubmit={submit} aria-label="Escalate to a supervisor">
      <div class="field">
        <label for={`${idPrefix}-reason`}>What's happening? (for the supervisor)</label>
        <textarea
          id={`${idPrefix}-reason`}
          rows={2}
          maxLength={2000}
          value={reason}
          onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
        />
      </div>
      <div class="field field--inline">
        <label for={`${idPrefix}-severity`}>Severity</label>
        <select
          id={`${idPrefix}-severity`}
          value={severity}
          onChange={(e) => setSeverity((e.currentTarget as HTMLSelectElement).value as "high" | "imminent")}
        >
          <option value="high">High</option>
          <option value="imminent">Imminent</option>
        </select>
      </div>
      <div class="checkbox">
        <input
          id={`${idPrefix}-resources`}
          type="checkbox"
          checked={showResources}
          onChange={(e) => setShowResources((e.currentTarget as HTMLInputElement).checked)}
        />
        <label for={`${idPrefix}-resources`}>Show crisis resources to the seeker</label>
      </div>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="button button--danger" disabled={busy}>
          {busy ? "Escalating…" : "Escalate now"}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
