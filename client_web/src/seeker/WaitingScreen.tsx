import { useEffect, useState } from "preact/hooks";
import { t } from "./i18n";

interface Props {
  position: number | null;
  estimatedWaitS: number | null;
  /** false: nobody who speaks the seeker's language is on duty (label of that language). */
  languageAvailable: boolean | null;
  language: string | null;
  onShowContacts: () => void;
  onCancel: () => void;
}

/** Queued: live position and estimate, and what to do if it can't wait. */
export function WaitingScreen({ position, estimatedWaitS, languageAvailable, language, onShowContacts, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  // The start form's button was at the bottom of the page: open this screen at its top, where the place
  // in line is, not scrolled past it (a phone keeps the old scroll offset).
  useEffect(() => window.scrollTo(0, 0), []);
  return (
    <section class="card waiting" aria-labelledby="waiting-title">
      <h1 id="waiting-title">{t().waitingTitle}</h1>
      <div class="waiting__status" role="status" aria-live="polite" data-testid="queue-status">
        {position !== null && position > 0 ? (
          <p class="waiting__position">
            {t().numberInLine(position)[0]}
            <strong>{t().numberInLine(position)[1]}</strong>
            {t().numberInLine(position)[2]}
          </p>
        ) : (
          <p class="waiting__position">{t().inLine}</p>
        )}
        <p>{t().estimate(estimatedWaitS)}</p>
        {languageAvailable === false ? (
          <p class="waiting__language" data-testid="no-language-listener">
            {t().noLanguageListener(t().languageName(language ?? ""))}
          </p>
        ) : null}
      </div>
      <p>{t().keepOpen}</p>
      <div class="urgent">
        <h2>{t().urgentTitle}</h2>
        <p>{t().urgentText}</p>
        <button type="button" class="button button--crisis" onClick={onShowContacts}>
          {t().showContacts}
        </button>
      </div>
      {confirming ? (
        <div class="confirm" role="group" aria-label={t().leaveQueueQuestion}>
          <span>{t().leaveQueueConfirm}</span>
          <button type="button" class="button button--danger" onClick={() => { setConfirming(false); onCancel(); }}>
            {t().yesLeave}
          </button>
          <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
            {t().keepPlace}
          </button>
        </div>
      ) : (
        <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
          {t().leaveQueue}
        </button>
      )}
    </section>
  );
}
