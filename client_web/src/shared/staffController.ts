import type { Socket } from "socket.io-client";
import { fetchLanguages, fetchTopics } from "./api";
import type { Connection } from "./components/ConnectionBanner";
import { highestSeq, mergeMessages, setDelivery, type ShownMessage } from "./messages";
import { Outbox, type OutboxHooks, type OutgoingMessage } from "./outbox";
import type { Language, Message, Severity, Topic } from "./protocol";
import type { StaffAuth } from "./staffSession";
import { Store } from "./store";

/** What every staff console shows of one conversation. */
export interface StaffChat {
  messages: ShownMessage[];
  lastSeq: number;
}

/** What every staff console holds, whatever else its role adds. */
export interface StaffState<C extends StaffChat> {
  auth: StaffAuth | null;
  connection: Connection;
  chats: Record<string, C>;
  order: string[];
  soundOn: boolean;
  notice: string | null;
  topics: Topic[];
  languages: Language[];
  announcements: { id: string; text: string }[];
}

/** The part of the listener console and the supervisor dashboard that is the same: the socket, the
 * outbox, the transcript of each open chat, the live-region announcements, the topic/language labels.
 * Each subclass owns its namespace's events and says who it writes as (``self``). */
export abstract class StaffController<C extends StaffChat, S extends StaffState<C>> {
  readonly store: Store<S>;
  protected socket: Socket | null = null;
  protected outbox: Outbox;
  protected typingTimers = new Map<string, number>();

  protected constructor(
    private readonly self: "listener" | "supervisor",
    initial: S,
    pending: readonly OutgoingMessage[] = [],
  ) {
    this.store = new Store<S>(initial);
    this.outbox = new Outbox(() => this.socket, this.outboxHooks(), pending);
  }

  setSound(on: boolean): void {
    this.store.set({ soundOn: on } as Partial<S>);
  }

  dismissNotice(): void {
    this.store.set({ notice: null } as Partial<S>);
  }

  /** The unsent messages changed (a console that keeps them across reloads saves them here). */
  protected outboxChanged(): void {}

  protected async loadOptions(): Promise<void> {
    try {
      const [topics, languages] = await Promise.all([fetchTopics(), fetchLanguages()]);
      this.store.set({ topics, languages } as Partial<S>);
    } catch {
      /* labels fall back to ids */
    }
  }

  protected applyMessages(conversationId: string, messages: Message[]): void {
    this.updateChat(conversationId, (c) => ({
      messages: mergeMessages(c.messages, messages, this.self),
      lastSeq: highestSeq(messages, c.lastSeq),
    }) as Partial<C>);
  }

  protected updateChat(conversationId: string, patch: (chat: C) => Partial<C>): void {
    this.store.set((s) => {
      const chat = s.chats[conversationId];
      if (!chat) return {};
      return { chats: { ...s.chats, [conversationId]: { ...chat, ...patch(chat) } } } as Partial<S>;
    });
  }

  protected announce(text: string): void {
    const id = `${Date.now()}-${Math.random()}`;
    this.store.set((s) => ({ announcements: [...s.announcements.slice(-2), { id, text }] }) as Partial<S>);
  }

  private outboxHooks(): OutboxHooks {
    return {
      stored: (entry, message) => this.applyMessages(entry.conversation_id, [message]),
      waiting: (entry) =>
        this.updateChat(entry.conversation_id, (c) => ({ messages: setDelivery(c.messages, entry.client_id, "queued") }) as Partial<C>),
      failed: (entry, error) =>
        this.updateChat(entry.conversation_id, (c) => ({
          messages: setDelivery(c.messages, entry.client_id, "failed", error.message),
        }) as Partial<C>),
      changed: () => this.outboxChanged(),
    };
  }
}

const RANK: Record<string, number> = { none: 0, high: 1, imminent: 2 };

/** Severity as a number, so a console can tell a rise ("high" to "imminent") from a repeat. */
export function severityRank(severity: string): number {
  return RANK[severity] ?? 0;
}

export function higherSeverity(a: Severity, b: Severity): Severity {
  return severityRank(b) > severityRank(a) ? b : a;
}
