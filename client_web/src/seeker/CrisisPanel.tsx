import { useState } from "preact/hooks";
import { CrisisResourceList } from "../shared/components/CrisisResourceList";
import type { CrisisResource } from "../shared/protocol";
import { t } from "./i18n";

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
        <span>{t().helpAvailable}</span>
        <button type="button" class="button button--crisis button--small" aria-expanded="false" onClick={() => setFolded(false)}>
          {t().showCrisis}
        </button>
      </div>
    );
  }
  return (
    <section class="crisis-panel" role="alert" aria-labelledby="crisis-title" data-testid="crisis-panel" tabIndex={0}>
      <h2 id="crisis-title">{t().crisisTitle}</h2>
      <p>{t().crisisIntro}</p>
      <CrisisResourceList resources={resources} />
      <p>{t().crisisDanger}</p>
      <button type="button" class="button button--secondary button--small" aria-expanded="true" onClick={() => setFolded(true)}>
        {t().hideCrisis}
      </button>
    </section>
  );
}
