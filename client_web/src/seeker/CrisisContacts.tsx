import { CrisisResourceList } from "../shared/components/CrisisResourceList";
import { CRISIS_CONTACTS } from "../shared/crisisContacts";

interface Props {
  open: boolean;
  onClose: () => void;
}

/** The bundled crisis contacts, one tap from anywhere in the widget. */
export function CrisisContacts({ open, onClose }: Props) {
  return (
    <section id="crisis-contacts" class="card contacts" hidden={!open} aria-labelledby="contacts-title">
      <h2 id="contacts-title">If you need help right now</h2>
      <p>If you are in danger or might act on thoughts of harming yourself, contact one of these now:</p>
      <CrisisResourceList resources={CRISIS_CONTACTS} />
      <button type="button" class="button button--secondary" onClick={onClose}>
        Close contacts
      </button>
    </section>
  );
}
