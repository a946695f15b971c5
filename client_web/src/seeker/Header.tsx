import { t } from "./i18n";

interface Props {
  embedded: boolean;
  contactsOpen: boolean;
  onToggleContacts: () => void;
  onQuickExit: () => void;
  onMinimize: () => void;
}

/** Brand, crisis contacts and the always-visible quick exit. */
export function Header({ embedded, contactsOpen, onToggleContacts, onQuickExit, onMinimize }: Props) {
  return (
    <header class="seeker-header">
      <p class="brand">
        <span class="brand__mark" aria-hidden="true" />
        <span class="brand__name">Peerline</span>
      </p>
      <div class="seeker-header__actions">
        <button
          type="button"
          class="button button--crisis"
          aria-expanded={contactsOpen}
          aria-controls="crisis-contacts"
          onClick={onToggleContacts}
        >
          {t().crisisContacts}
        </button>
        <button
          type="button"
          class="button button--exit"
          onClick={onQuickExit}
          title={t().quickExitTitle}
          data-testid="quick-exit"
        >
          {t().quickExit}
        </button>
        {embedded ? (
          <button type="button" class="button button--ghost" onClick={onMinimize} aria-label={t().minimize}>
            <span aria-hidden="true">–</span>
          </button>
        ) : null}
      </div>
    </header>
  );
}
