import type { OutgoingMessage } from "../shared/outbox";
import type { CrisisResource } from "../shared/protocol";
import { loadJson, saveJson } from "../shared/storage";

/** What the seeker app keeps in sessionStorage so a reload (or a dropped network) resumes the chat:
 * the anonymous token, the open conversation, the last seq seen, unsent messages and the crisis
 * resources already shown. Quick exit wipes it. No transcript is stored: it comes back by `resume`. */
export interface SeekerSession {
  token: string | null;
  conversationId: string | null;
  lastSeq: number;
  topic: string | null;
  language: string | null;
  outbox: OutgoingMessage[];
  crisis: CrisisResource[] | null;
}

const KEY = "peerline.seeker";

export function emptySession(): SeekerSession {
  return { token: null, conversationId: null, lastSeq: 0, topic: null, language: null, outbox: [], crisis: null };
}

export function loadSession(): SeekerSession {
  const stored = loadJson<Partial<SeekerSession>>(KEY);
  return { ...emptySession(), ...(stored ?? {}) };
}

export function saveSession(session: SeekerSession): void {
  saveJson(KEY, session);
}
