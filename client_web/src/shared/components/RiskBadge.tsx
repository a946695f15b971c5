import type { Severity } from "../protocol";

interface Props {
  severity: Severity;
  category?: string | null;
}

const LABELS: Record<Severity, string> = { none: "No risk flagged", high: "High risk", imminent: "Imminent risk" };

export function RiskBadge({ severity, category }: Props) {
  const category_ = category ? ` · ${category.replace(/_/g, " ")}` : "";
  return (
    <span class={`badge badge--${severity}`} data-severity={severity}>
      {LABELS[severity] ?? severity}
      {severity !== "none" ? category_ : ""}
    </span>
  );
}
