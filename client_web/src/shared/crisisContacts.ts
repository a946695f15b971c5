import type { CrisisResource } from "./protocol";

/** Contacts that are always one tap away in the seeker app, bundled so they show even when the
 * service is unreachable. Deployments should edit this list for their region. Every link dials or
 * texts exactly what its own text says (a test reads each one), so a frightened person who taps
 * "Call 911" never reaches another number, and a text line gets the keyword it expects. */
export const CRISIS_CONTACTS: readonly CrisisResource[] = [
  {
    name: "Emergency services",
    how: "Call your local emergency number",
    available: "24/7",
    links: [
      { text: "Call 911 (US, Canada)", href: "tel:911" },
      { text: "Call 112 (EU)", href: "tel:112" },
      { text: "Call 999 (UK)", href: "tel:999" },
    ],
  },
  {
    name: "988 Suicide & Crisis Lifeline (US)",
    how: "Call or text 988",
    available: "24/7",
    links: [
      { text: "Call 988", href: "tel:988" },
      { text: "Text 988", href: "sms:988" },
    ],
  },
  {
    name: "Veterans Crisis Line (US)",
    how: "Dial 988 then press 1, or text 838255",
    available: "24/7",
    links: [
      { text: "Call 988, then press 1", href: "tel:988,1" },
      { text: "Text 838255", href: "sms:838255" },
    ],
  },
  {
    name: "Samaritans (UK & Ireland)",
    how: "Call 116 123",
    available: "24/7",
    links: [{ text: "Call 116 123", href: "tel:116123" }],
  },
  {
    name: "Crisis Text Line",
    how: "Text HOME to 741741 (US), SHOUT to 85258 (UK)",
    available: "24/7",
    links: [
      { text: "Text HOME to 741741 (US)", href: "sms:741741?body=HOME" },
      { text: "Text SHOUT to 85258 (UK)", href: "sms:85258?body=SHOUT" },
    ],
  },
  {
    name: "Línea 024 (España)",
    how: "Llama al 024",
    available: "24/7",
    links: [{ text: "Llama al 024", href: "tel:024" }],
  },
];

/** The same contacts for a Spanish-speaking seeker: Spanish wording, Spain's 024 first, and the
 * Spanish-language options of the US lines (988 then 2, AYUDA to 741741). */
export const CRISIS_CONTACTS_ES: readonly CrisisResource[] = [
  {
    name: "Línea 024 (España)",
    how: "Llama al 024",
    available: "24/7",
    links: [{ text: "Llama al 024", href: "tel:024" }],
  },
  {
    name: "Emergencias",
    how: "Llama a tu número local de emergencias",
    available: "24/7",
    links: [
      { text: "Llama al 112 (UE)", href: "tel:112" },
      { text: "Llama al 911 (EE. UU., Canadá, México)", href: "tel:911" },
      { text: "Llama al 999 (Reino Unido)", href: "tel:999" },
    ],
  },
  {
    name: "Línea 988 en español (EE. UU.)",
    how: "Llama al 988 y pulsa 2",
    available: "24/7",
    links: [{ text: "Llama al 988 y pulsa 2", href: "tel:988,2" }],
  },
  {
    name: "Crisis Text Line en español (EE. UU.)",
    how: "Envía AYUDA al 741741",
    available: "24/7",
    links: [{ text: "Envía AYUDA al 741741", href: "sms:741741?body=AYUDA" }],
  },
  {
    name: "Samaritans (Reino Unido e Irlanda)",
    how: "Llama al 116 123",
    available: "24/7",
    links: [{ text: "Llama al 116 123", href: "tel:116123" }],
  },
];
