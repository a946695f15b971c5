import type { CrisisResource } from "./protocol";

/** Contacts that are always one tap away in the seeker app, bundled so they show even when the
 * service is unreachable. Deployments should edit this list for their region. */
export const CRISIS_CONTACTS: readonly CrisisResource[] = [
  {
    name: "Emergency services",
    how: "Call your local emergency number: 911 (US, Canada), 112 (EU), 999 (UK)",
    available: "24/7",
    href: "tel:112",
  },
  { name: "988 Suicide & Crisis Lifeline (US)", how: "Call or text 988", available: "24/7", href: "tel:988" },
  { name: "Veterans Crisis Line (US)", how: "Dial 988 then press 1, or text 838255", available: "24/7", href: "tel:988" },
  { name: "Samaritans (UK & Ireland)", how: "Call 116 123", available: "24/7", href: "tel:116123" },
  { name: "Crisis Text Line", how: "Text HOME to 741741 (US), 85258 (UK)", available: "24/7", href: "sms:741741" },
  { name: "Línea 024 (España)", how: "Llama al 024", available: "24/7", href: "tel:024" },
];
