import { useState } from "preact/hooks";
import { CrisisResourceList } from "../shared/components/CrisisResourceList";
import type { CrisisResource } from "../shared/protocol";

interface Props {
  resources: readonly CrisisResource[];
}

/** Shown as soon as `crisis_resources` arrives: prominent and announced at once. It can be folded
 * into a slim bar so the chat stays usable on a small screen, and opened again with one tap. */
export function CrisisPanel({ resources }: Props) {
  const [folded, setFolded] = useState(false);
  if (folded) {
    return (
      <div class="crisis-bar" data-testid="crisis-panel">
        <span>Help is available right now.</span>
        <button type="button" class="button button--crisis button--small" aria-expanded="false" onClick={() => setFolded(false)}>
          Show crisis resources
        </button>
      </div>
    );
  }
  return (
    <section class="crisis-panel" role="alert" aria-labelledby="crisis-title" data-testid="crisis-panel" tabIndex={0}>
      <h2 id="crisis-title">You don't have to face this alone — help is available now</h2>
      <p>
        It sounds like you may be going through something very hard. A peer is here with you, and these
        services can help right now, any time:
      </p>
      <CrisisResourceList resources={resources} />
      <p>If you are in immediate danger, call your local emergency number.</p>
      <button type="button" class="button button--secondary button--small" aria-expanded="true" onClick={() => setFolded(true)}>
        Hide this and keep chatting
      </button>
    </section>
  );
}
