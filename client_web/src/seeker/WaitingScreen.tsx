import { useEffect, useState } from "preact/hooks";
import { formatEstimate } from "../shared/format";

interface Props {
  position: number | null;
  estimatedWaitS: number | null;
  onShowContacts: () => void;
  onCancel: () => void;
}

/** Queued: live position and estimate, and what to do if it can't wait. */
export function WaitingScreen({ position, estimatedWaitS, onShowContacts, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  // The start form's button was at the bottom of the page: open this screen at its top, where the place
  // in line is, not scrolled past it (a phone keeps the old scroll offset).
  useEffect(() => window.scrollTo(0, 0), []);
  return (
    <section class="card waiting" aria-labelledby="waiting-title">
      <h1 id="waiting-title">Finding a listener for you</h1>
      <div class="waiting__status" role="status" aria-live="polite" data-testid="queue-status">
        {position !== null && position > 0 ? (
          <p class="waiting__position">
            You are number <strong>{position}</strong> in line.
          </p>
        ) : (
          <p class="waiting__position">You're in line.</p>
        )}
        <p>{formatEstimate(estimatedWaitS)}</p>
      </div>
      <p>You can keep this page open in the background; the chat starts here as soon as a listener joins.</p>
      <div class="urgent">
        <h2>If it's urgent</h2>
        <p>
          Don't wait for a chat if you are in danger or might act on thoughts of harming yourself. Call your local
          emergency number or a crisis line now.
        </p>
        <button type="button" class="button button--crisis" onClick={onShowContacts}>
          Show crisis contacts
        </button>
      </div>
      {confirming ? (
        <div class="confirm" role="group" aria-label="Leave the queue?">
          <span>Leave the queue? You would lose your place.</span>
          <button type="button" class="button button--danger" onClick={() => { setConfirming(false); onCancel(); }}>
            Yes, leave
          </button>
          <button type="button" class="button button--secondary" onClick={() => setConfirming(false)}>
            Keep my place
          </button>
        </div>
      ) : (
        <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
          Leave the queue
        </button>
      )}
    </section>
  );
}
