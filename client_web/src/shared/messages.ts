import type { Message, Sender, Visibility } from "./protocol";

/** A message as shown: stored ones from the server, plus our own not yet acknowledged ones. */
export interface ShownMessage extends Message {
  /** Set only for our own messages that the server has not acknowledged yet. */
  delivery?: "sending" | "queued" | "failed";
  /** Why a failed message was not stored (shown next to it). */
  problem?: string;
}

export function localMessage(
  conversationId: string,
  clientId: string,
  sender: Sender,
  text: string,
  visibility: Visibility = "all",
  delivery: ShownMessage["delivery"] = "sending",
): ShownMessage {
  return {
    conversation_id: conversationId,
    id: `local:${clientId}`,
    seq: null,
    client_id: clientId,
    sender,
    text,
    sent_at: new Date().toISOString(),
    visibility,
    delivery,
  };
}

function order(a: ShownMessage, b: ShownMessage): number {
  const aLocal = a.delivery !== undefined;
  const bLocal = b.delivery !== undefined;
  if (aLocal !== bLocal) return aLocal ? 1 : -1;
  if (aLocal) return a.sent_at < b.sent_at ? -1 : a.sent_at > b.sent_at ? 1 : 0;
  if (a.seq !== null && b.seq !== null) return a.seq - b.seq;
  if (a.sent_at !== b.sent_at) return a.sent_at < b.sent_at ? -1 : 1;
  return (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER);
}

/** Adds stored messages, replacing our own pending copy (same sender and client_id) and any earlier
 * copy of the same id; keeps everything in conversation order. */
export function mergeMessages(
  current: readonly ShownMessage[],
  incoming: readonly Message[],
  ownSender: Sender,
): ShownMessage[] {
  if (incoming.length === 0) return current as ShownMessage[];
  const ids = new Set(incoming.map((m) => m.id));
  const ownClientIds = new Set(
    incoming.filter((m) => m.sender === ownSender && m.client_id).map((m) => m.client_id),
  );
  const kept = current.filter(
    (m) => !ids.has(m.id) && !(m.delivery !== undefined && ownClientIds.has(m.client_id)),
  );
  return [...kept, ...incoming].sort(order);
}

export function setDelivery(
  current: readonly ShownMessage[],
  clientId: string,
  delivery: ShownMessage["delivery"],
  problem?: string,
): ShownMessage[] {
  return current.map((m) =>
    m.delivery !== undefined && m.client_id === clientId ? { ...m, delivery, problem } : m,
  );
}

export function highestSeq(messages: readonly Message[], floor = 0): number {
  return messages.reduce((max, m) => (m.seq !== null && m.seq > max ? m.seq : max), floor);
}

/** True when a live message skips a seq, i.e. something was missed and a `resume` is due. */
export function hasGap(lastSeq: number, message: Message): boolean {
  return message.seq !== null && message.seq > lastSeq + 1;
}
