import type { RiskState } from "./controller";

interface Props {
  id: string;
  risk: RiskState;
  notice: string | null;
}

/** Everything a peer listener needs when a chat is flagged, at that moment: which words raised it,
 * what the seeker was shown, whether a supervisor is on it, and a short, calm guide (server-configured). */
export function CrisisSupport({ id, risk, notice }: Props) {
  const acks = Object.values(risk.acks ?? {});
  const ackedBy = acks.find((name): name is string => typeof name === "string") ?? null;
  const category = risk.category ? `, ${risk.category.replace(/_/g, " ")}` : "";
  const supervisorLine = ackedBy
    ? `${ackedBy} (supervisor) has acknowledged and is aware of this chat.`
    : notice
      ? "No supervisor is online right now (see the notice above)."
      : acks.length > 0
        ? "A supervisor has been alerted; waiting for one to acknowledge."
        : "No supervisor has been asked yet: use Escalate if you are worried.";
  return (
    <section class="crisis-support" aria-labelledby={`crisis-${id}`} data-testid="crisis-support">
      <h4 id={`crisis-${id}`} class="crisis-support__title">
        Crisis flagged: {risk.severity} risk{category}
      </h4>
      <ul class="crisis-support__facts">
        {risk.evidence && risk.evidence.length > 0 ? (
          <li>
            Raised by the seeker's words: {risk.evidence.map((e) => `“${e}”`).join(" · ")} (marked in the chat below).
          </li>
        ) : null}
        <li>{risk.resourcesShown ? "The seeker has been shown crisis contacts." : "The seeker has not been shown crisis contacts."}</li>
        <li data-testid="crisis-supervisor">{supervisorLine}</li>
      </ul>
      {risk.guide ? (
        <details class="crisis-support__guide" open>
          <summary>{risk.guide.title}</summary>
          <ol>
            {risk.guide.steps.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}
