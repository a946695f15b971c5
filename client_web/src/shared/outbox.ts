import type { Socket } from "socket.io-client";
import { call, isRetryable } from "./connect";
import type { Message, ProtocolError, Visibility } from "./protocol";

export interface OutgoingMessage {
  conversation_id: string;
  client_id: string;
  text: string;
  visibility?: Visibility;
}

export interface OutboxHooks {
  /** The server stored it: replace the pending copy with this one. */
  stored(entry: OutgoingMessage, message: Message): void;
  /** Waiting to be retried (offline, no answer, service busy). */
  waiting(entry: OutgoingMessage, error: ProtocolError): void;
  /** Will not be retried automatically (e.g. the chat has ended, the text is invalid). */
  failed(entry: OutgoingMessage, error: ProtocolError): void;
  /** The list of unsent entries changed (to persist it). */
  changed(entries: readonly OutgoingMessage[]): void;
}

/** Sends messages one at a time, in order, retrying each with its own client_id until the server
 * acknowledges it (the server stores a retried client_id only once). */
export class Outbox {
  private entries: OutgoingMessage[];
  private flushing = false;
  private retryTimer: number | undefined;
  private attempt = 0;

  constructor(
    private readonly getSocket: () => Socket | null,
    private readonly hooks: OutboxHooks,
    initial: readonly OutgoingMessage[] = [],
  ) {
    this.entries = [...initial];
  }

  get pending(): readonly OutgoingMessage[] {
    return this.entries;
  }

  add(entry: OutgoingMessage): void {
    this.entries.push(entry);
    this.hooks.changed(this.entries);
    void this.flush();
  }

  /** Put a failed message back in line (the user pressed "retry"). */
  retry(entry: OutgoingMessage): void {
    if (!this.entries.some((e) => e.client_id === entry.client_id)) this.add(entry);
    else void this.flush();
  }

  drop(conversationId: string): void {
    this.entries = this.entries.filter((e) => e.conversation_id !== conversationId);
    this.hooks.changed(this.entries);
  }

  clear(): void {
    this.entries = [];
    window.clearTimeout(this.retryTimer);
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    window.clearTimeout(this.retryTimer);
    try {
      while (this.entries.length > 0) {
        const socket = this.getSocket();
        const entry = this.entries[0];
        if (!socket || !socket.connected) {
          this.hooks.waiting(entry, { code: "offline", message: "You are offline." });
          return;
        }
        const payload: Record<string, unknown> = {
          conversation_id: entry.conversation_id,
          client_id: entry.client_id,
          text: entry.text,
        };
        if (entry.visibility) payload.visibility = entry.visibility;
        const ack = await call<{ message: Message }>(socket, "message", payload);
        if (ack.ok) {
          this.attempt = 0;
          this.entries.shift();
          this.hooks.changed(this.entries);
          this.hooks.stored(entry, ack.message);
          continue;
        }
        if (isRetryable(ack.error.code)) {
          this.hooks.waiting(entry, ack.error);
          this.scheduleRetry();
          return;
        }
        this.entries.shift();
        this.hooks.changed(this.entries);
        this.hooks.failed(entry, ack.error);
      }
    } finally {
      this.flushing = false;
    }
  }

  private scheduleRetry(): void {
    this.attempt += 1;
    const delay = Math.min(30000, 1000 * 2 ** Math.min(this.attempt, 5));
    this.retryTimer = window.setTimeout(() => void this.flush(), delay);
  }
}
