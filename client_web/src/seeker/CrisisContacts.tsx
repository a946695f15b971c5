import { CrisisResourceList } from "../shared/components/CrisisResourceList";
import { CRISIS_CONTACTS, CRISIS_CONTACTS_ES } from "../shared/crisisContacts";
import { currentSeekerLang, t } from "./i18n";

interface Props {
  open: boolean;
  onClose: () => void;
}

/** The bundled crisis contacts, one tap from anywhere in the widget. */
export function CrisisContacts({ open, onClose }: Props) {
  return (
    <section id="crisis-contacts" class="card contacts" hidden={!open} aria-labelledby="contacts-title">
      <h2 id="contacts-title">{t().contactsTitle}</h2>
      <p>{t().contactsIntro}</p>
      <CrisisResourceList resources={currentSeekerLang() === "es" ? CRISIS_CONTACTS_ES : CRISIS_CONTACTS} />
      <button type="button" class="button button--secondary" onClick={onClose}>
        {t().closeContacts}
      </button>
    </section>
  );
}
