import type { Socket } from "socket.io-client";
import { fetchLanguages, fetchTopics } from "../shared/api";
import { newClientId } from "../shared/clientId";
import type { Connection } from "../shared/components/ConnectionBanner";
import { call, openStaffSocket } from "../shared/connect";
import { hasGap, highestSeq, localMessage, mergeMessages, setDelivery, type ShownMessage } from "../shared/messages";
import { Outbox, type OutgoingMessage } from "../shared/outbox";
import type {
  Assignment,
  ChatEndedEvent,
  Conversation,
  Language,
  CrisisGuide,
  EscalationStatusEvent,
  Message,
  NoticeEvent,
  ReleasedEvent,
  RiskEvent,
  RiskHintEvent,
  Severity,
  Topic,
  TypingEvent,
  WaitingEntry,
} from "../shared/protocol";
import { playChime } from "../shared/sound";
import { forgetAuth, signIn, storedAuth, type StaffAuth } from "../shared/staffSession";
import { loadJson, removeKey, saveJson } from "../shared/storage";
import { Store } from "../shared/store";
import { flashTitle } from "../shared/titleFlash";

export interface ListenerChat {
  conversation: Conversation;
  messages: ShownMessage[];
  lastSeq: number;
  seekerTyping: boolean;
  risk: RiskState | null;
  released: string | null;
  endedBy: string | null;
  unread: number;
  /** A notice from the server about this chat's crisis (e.g. no supervisor online), in plain words. */
  notice: string | null;
  /** A quiet hint that the seeker's words may show risk (below the alert threshold): ask, don't alarm. */
  hint: string | null;
}

/** What the listener knows about a flagged chat: enough to act calmly at that moment. */
export interface RiskState {
  severity: Severity;
  category: string | null;
  /** Seeker messages that raised it (highlighted in the transcript) and the words themselves. */
  messageIds?: string[];
  evidence?: string[];
  resourcesShown?: boolean;
  /** Escalation id -> who acknowledged it (null: not yet). */
  acks?: Record<string, string | null>;
  guide?: CrisisGuide | null;
}

export type Status = "available" | "away";

export interface ListenerState {
  auth: StaffAuth | null;
  connection: Connection;
  status: Status;
  maxChats: number;
  queue: WaitingEntry[];
  queueAt: number;
  chats: Record<string, ListenerChat>;
  order: string[];
  activeId: string | null;
  layout: "tabs" | "side";
  soundOn: boolean;
  notice: string | null;
  topics: Topic[];
  languages: Language[];
  announcements: { id: string; text: string }[];
}

interface Persisted {
  status: Status;
  /** Only when the listener chose it here; otherwise the account's own limit applies. */
  maxChats: number | null;
  conversations: string[];
  outbox: OutgoingMessage[];
}

const AUTH_KEY = "peerline.listener.auth";
const STATE_KEY = "peerline.listener.state";
const TYPING_TIMEOUT_MS = 8000;

/** Owns the listener's socket: presence, queue, assigned chats, escalation requests. */
export class ListenerController {
  readonly store: Store<ListenerState>;
  private socket: Socket | null = null;
  private outbox: Outbox;
  private typingTimers = new Map<string, number>();
  private persisted: Persisted;
  private chosenLimit: number | null = null;

  constructor() {
    this.persisted = loadJson<Persisted>(STATE_KEY) ?? { status: "away", maxChats: null, conversations: [], outbox: [] };
    this.store = new Store<ListenerState>({
      auth: storedAuth(AUTH_KEY),
      connection: "idle",
      status: this.persisted.status,
      maxChats: this.persisted.maxChats ?? 0,
      queue: [],
      queueAt: Date.now(),
      chats: {},
      order: [],
      activeId: null,
      layout: "tabs",
      soundOn: true,
      notice: null,
      topics: [],
      languages: [],
      announcements: [],
    });
    this.outbox = new Outbox(() => this.socket, this.outboxHooks(), this.persisted.outbox ?? []);
    this.chosenLimit = this.persisted.maxChats ?? null;
    if (this.store.state.auth) this.connect();
  }

  async login(username: string, password: string): Promise<string | null> {
    const result = await signIn(AUTH_KEY, username, password, ["listener"]);
    if (typeof result === "string") return result;
    this.store.set({ auth: result, notice: null });
    this.connect();
    return null;
  }

  logout(): void {
    if (this.socket?.connected) this.socket.emit("set_status", { status: "away" }, () => undefined);
    this.socket?.disconnect();
    this.socket = null;
    this.outbox.clear();
    this.chosenLimit = null;
    forgetAuth(AUTH_KEY);
    removeKey(STATE_KEY);
    this.persisted = { status: "away", maxChats: null, conversations: [], outbox: [] };
    this.store.set({ auth: null, connection: "idle", chats: {}, order: [], activeId: null, queue: [], status: "away" });
  }

  async setStatus(status: Status, maxChats: number): Promise<void> {
    const limitChanged = maxChats > 0 && maxChats !== this.store.state.maxChats;
    this.store.set({ status, maxChats });
    if (limitChanged) this.chosenLimit = maxChats;
    this.persist();
    if (!this.socket?.connected) {
      this.store.set({ notice: "You're offline: your status will be sent when the connection is back." });
      return;
    }
    const payload: Record<string, unknown> = { status };
    if (this.chosenLimit !== null) payload.max_chats = this.chosenLimit;
    const ack = await call<{ status: Status; max_chats: number }>(this.socket, "set_status", payload);
    if (ack.ok) {
      this.store.set({ status: ack.status, maxChats: ack.max_chats ?? maxChats, notice: null });
      this.persist();
    } else {
      this.store.set({ notice: `Could not change your status: ${ack.error.message}` });
    }
  }

  async take(conversationId?: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call<Assignment>(
      this.socket,
      "take",
      conversationId ? { conversation_id: conversationId } : {},
    );
    if (!ack.ok) {
      const why =
        ack.error.code === "conflict"
          ? "That chat was already taken, or you are at your chat limit."
          : ack.error.code === "not_found"
            ? "Nobody is waiting that you can take."
            : ack.error.message;
      this.store.set({ notice: `Could not take the chat. ${why}` });
      return;
    }
    this.store.set((s) => ({ queue: s.queue.filter((q) => q.conversation_id !== ack.conversation.conversation_id) }));
    this.addChat(ack.conversation, ack.messages, false, ack.risk);
  }

  send(conversationId: string, text: string): void {
    const clientId = newClientId();
    const delivery = this.socket?.connected ? "sending" : "queued";
    this.updateChat(conversationId, (c) => ({
      messages: [...c.messages, localMessage(conversationId, clientId, "listener", text, "all", delivery)],
    }));
    this.outbox.add({ conversation_id: conversationId, client_id: clientId, text });
  }

  retry(message: ShownMessage): void {
    if (!message.client_id) return;
    const clientId = message.client_id;
    this.updateChat(message.conversation_id, (c) => ({ messages: setDelivery(c.messages, clientId, "sending") }));
    this.outbox.retry({ conversation_id: message.conversation_id, client_id: clientId, text: message.text });
  }

  typing(conversationId: string, typing: boolean): void {
    if (this.socket?.connected) void call(this.socket, "typing", { conversation_id: conversationId, typing });
  }

  async escalate(
    conversationId: string,
    reason: string,
    severity: "high" | "imminent",
    showResources: boolean,
  ): Promise<string | null> {
    if (!this.socket) return "You're offline.";
    const ack = await call<{ escalation_id: string }>(this.socket, "escalate", {
      conversation_id: conversationId,
      reason,
      severity,
      show_resources: showResources,
    });
    if (!ack.ok) return `Could not reach a supervisor: ${ack.error.message}. Try again.`;
    this.updateChat(conversationId, (c) => ({
      risk: {
        ...c.risk,
        severity: higher(c.risk?.severity ?? c.conversation.severity, severity),
        category: c.risk?.category ?? null,
        acks: { ...c.risk?.acks, [ack.escalation_id]: c.risk?.acks?.[ack.escalation_id] ?? null },
      },
    }));
    return null;
  }

  async endChat(conversationId: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call(this.socket, "end_chat", { conversation_id: conversationId });
    if (ack.ok || ack.error.code === "conflict") this.updateChat(conversationId, () => ({ endedBy: "listener" }));
    else this.store.set({ notice: `Could not end the chat: ${ack.error.message}` });
    this.persist();
  }

  /** Remove an ended or released chat from the screen. */
  closeChat(conversationId: string): void {
    this.outbox.drop(conversationId);
    this.store.set((s) => {
      const chats = { ...s.chats };
      delete chats[conversationId];
      const order = s.order.filter((id) => id !== conversationId);
      return { chats, order, activeId: s.activeId === conversationId ? (order[0] ?? null) : s.activeId };
    });
    this.persist();
  }

  activate(conversationId: string): void {
    this.store.set({ activeId: conversationId });
    this.updateChat(conversationId, () => ({ unread: 0 }));
  }

  setLayout(layout: "tabs" | "side"): void {
    this.store.set({ layout });
  }

  setSound(on: boolean): void {
    this.store.set({ soundOn: on });
  }

  dismissNotice(): void {
    this.store.set({ notice: null });
  }

  private connect(): void {
    const auth = this.store.state.auth;
    if (!auth || this.socket) return;
    void this.loadOptions();
    const socket = openStaffSocket("/listener", auth.token, {
      online: () => {
        this.store.set({ connection: "online" });
        void this.afterConnect();
      },
      offline: () => this.store.set({ connection: "offline" }),
      unauthorized: () => {
        this.logout();
        this.store.set({ notice: "Your session has ended. Please sign in again." });
      },
    });
    this.socket = socket;
    this.store.set({ connection: "connecting" });
    socket.on("queue_update", (e: { waiting: WaitingEntry[] }) => this.store.set({ queue: e.waiting, queueAt: Date.now() }));
    socket.on("assigned", (e: Assignment) => this.addChat(e.conversation, e.messages, true, e.risk),
    );
    socket.on("message", (m: Message) => this.onMessage(m));
    socket.on("typing", (e: TypingEvent) => {
      if (e.sender !== "seeker" || !this.store.state.chats[e.conversation_id]) return;
      window.clearTimeout(this.typingTimers.get(e.conversation_id));
      this.updateChat(e.conversation_id, () => ({ seekerTyping: e.typing }));
      if (e.typing) {
        this.typingTimers.set(
          e.conversation_id,
          window.setTimeout(() => this.updateChat(e.conversation_id, () => ({ seekerTyping: false })), TYPING_TIMEOUT_MS),
        );
      }
    });
    socket.on("chat_ended", (e: ChatEndedEvent) => {
      this.updateChat(e.conversation_id, () => ({ endedBy: e.by, seekerTyping: false }));
      this.announce("A chat has ended.");
      this.persist();
    });
    socket.on("risk", (e: RiskEvent) => this.flagRisk(e));
    socket.on("risk_hint", (e: RiskHintEvent) => {
      // Deliberately quiet: no chime or title flash. It asks the listener to check in, not to raise an alarm.
      this.updateChat(e.conversation_id, (c) => (c.risk ? {} : { hint: e.message }));
      this.announce("A quiet hint in a chat: the seeker's words may show risk. Consider asking directly.");
    });
    socket.on("escalation_status", (e: EscalationStatusEvent) => {
      const by = e.acknowledged_by?.display_name ?? "A supervisor";
      this.updateChat(e.conversation_id, (c) => ({
        risk: c.risk ? { ...c.risk, acks: { ...c.risk.acks, [e.escalation_id]: by } } : c.risk,
        notice: null,
      }));
      this.announce(`${by} has acknowledged the crisis in this chat.`);
    });
    socket.on("notice", (e: NoticeEvent) => {
      this.updateChat(e.conversation_id, () => ({ notice: e.message }));
      this.alert("alert", "No supervisor online");
      this.announce(e.message);
    });
    socket.on("released", (e: ReleasedEvent) => {
      // Plain words only: the event's reason is a code for programs, not for the person reading.
      const text =
        e.by === "supervisor"
          ? "A supervisor has taken over this chat and is now talking with the seeker. Thank you for your part."
          : "This chat was returned to the queue, so the seeker can be connected with someone else.";
      this.updateChat(e.conversation_id, () => ({ released: text }));
      this.outbox.drop(e.conversation_id);
      this.announce(text);
      this.persist();
    });
  }

  private async loadOptions(): Promise<void> {
    try {
      const [topics, languages] = await Promise.all([fetchTopics(), fetchLanguages()]);
      this.store.set({ topics, languages });
    } catch {
      /* labels fall back to ids */
    }
  }

  private async afterConnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const { status, maxChats } = this.store.state;
    const payload: Record<string, unknown> = { status };
    if (this.chosenLimit !== null) payload.max_chats = this.chosenLimit;
    const ack = await call<{ status: Status; max_chats: number }>(socket, "set_status", payload);
    if (ack.ok) this.store.set({ status: ack.status, maxChats: ack.max_chats ?? maxChats });
    const ids = new Set([...this.persisted.conversations, ...this.store.state.order]);
    // A fresh tab or another device: the server knows which chats this listener is responding to.
    const listed = await call<{ conversations: Conversation[] }>(socket, "list_conversations", null);
    if (listed.ok) for (const c of listed.conversations) ids.add(c.conversation_id);
    for (const id of ids) await this.resume(id);
    void this.outbox.flush();
  }

  private async resume(conversationId: string): Promise<void> {
    if (!this.socket) return;
    const chat = this.store.state.chats[conversationId];
    if (chat?.endedBy || chat?.released) return;
    const ack = await call<Assignment>(this.socket, "resume", {
      conversation_id: conversationId,
      after_seq: chat ? chat.lastSeq : 0,
    });
    if (!ack.ok) {
      if (ack.error.code === "forbidden" || ack.error.code === "not_found") {
        if (chat) this.updateChat(conversationId, () => ({ released: "This chat is no longer yours." }));
        else this.persisted.conversations = this.persisted.conversations.filter((id) => id !== conversationId);
        this.persist();
      }
      return;
    }
    if (!chat) {
      this.addChat(ack.conversation, ack.messages, false, ack.risk, false); // after a reload: seen before
    } else {
      this.applyMessages(conversationId, ack.messages);
      this.updateChat(conversationId, () => ({
        conversation: ack.conversation,
        endedBy: ack.conversation.status === "ended" ? "system" : null,
      }));
      // raised while this console was cut off: the `risk` event never came
      for (const e of ack.risk ?? []) if (!(e.escalation_id in (chat.risk?.acks ?? {}))) this.flagRisk(e);
    }
  }

  /** The crisis panel of a chat: from a live ``risk`` event, or the crises still open when it is assigned. */
  private flagRisk(e: RiskEvent, loud = true): void {
    this.updateChat(e.conversation_id, (c) => ({
      risk: {
        ...c.risk,
        severity: higher(c.risk?.severity ?? "none", e.severity),
        category: e.category ?? c.risk?.category ?? null,
        messageIds: e.message_id ? unique([...(c.risk?.messageIds ?? []), e.message_id]) : c.risk?.messageIds,
        evidence: unique([...(c.risk?.evidence ?? []), ...(e.evidence ?? [])]),
        resourcesShown: Boolean(c.risk?.resourcesShown || e.resources_shown),
        acks: {
          ...c.risk?.acks,
          // a crisis acknowledged before this chat reached the listener: who it was comes with the next status
          [e.escalation_id]: c.risk?.acks?.[e.escalation_id] ?? (e.status === "acknowledged" ? "A supervisor" : null),
        },
        guide: e.guide ?? c.risk?.guide ?? null,
      },
    }));
    if (!loud) return;
    this.alert("alert", "Risk flagged in a chat");
    this.announce(`Risk flagged in a chat: ${e.severity}${e.category ? `, ${e.category.replace(/_/g, " ")}` : ""}.`);
  }

  private addChat(
    conversation: Conversation,
    messages: Message[],
    assigned: boolean,
    risk: RiskEvent[] = [],
    loud = true,
  ): void {
    const id = conversation.conversation_id;
    const existing = this.store.state.chats[id];
    const chat: ListenerChat = existing ?? {
      conversation,
      messages: [],
      lastSeq: 0,
      seekerTyping: false,
      risk: conversation.severity !== "none" ? { severity: conversation.severity, category: null } : null,
      released: null,
      endedBy: conversation.status === "ended" ? "system" : null,
      unread: 0,
      notice: null,
      hint: null,
    };
    this.store.set((s) => ({
      chats: { ...s.chats, [id]: { ...chat, conversation, released: null } },
      order: s.order.includes(id) ? s.order : [...s.order, id],
      activeId: s.activeId ?? id,
    }));
    this.applyMessages(id, messages);
    for (const e of risk) this.flagRisk(e, loud);
    this.persist();
    if (assigned) {
      this.alert("assignment", "New chat assigned");
      this.announce("A new chat was assigned to you.");
    }
  }

  private onMessage(message: Message): void {
    const chat = this.store.state.chats[message.conversation_id];
    if (!chat) return;
    if (hasGap(chat.lastSeq, message)) void this.resume(message.conversation_id);
    this.applyMessages(message.conversation_id, [message]);
    if (message.sender === "listener") return;
    const focused = this.store.state.activeId === message.conversation_id || this.store.state.layout === "side";
    const attentive = focused && document.visibilityState === "visible" && document.hasFocus();
    this.updateChat(message.conversation_id, (c) => ({
      seekerTyping: message.sender === "seeker" ? false : c.seekerTyping,
      unread: attentive ? 0 : c.unread + 1,
    }));
    if (!attentive) this.alert("message", "New message");
    const who = message.visibility === "staff" ? "Supervisor whisper" : message.sender === "seeker" ? "Seeker" : "Supervisor";
    this.announce(`${who}: ${message.text}`);
  }

  private applyMessages(conversationId: string, messages: Message[]): void {
    this.updateChat(conversationId, (c) => ({
      messages: mergeMessages(c.messages, messages, "listener"),
      lastSeq: highestSeq(messages, c.lastSeq),
    }));
  }

  private updateChat(conversationId: string, patch: (chat: ListenerChat) => Partial<ListenerChat>): void {
    this.store.set((s) => {
      const chat = s.chats[conversationId];
      if (!chat) return {};
      return { chats: { ...s.chats, [conversationId]: { ...chat, ...patch(chat) } } };
    });
  }

  private alert(kind: "message" | "assignment" | "alert", title: string): void {
    if (this.store.state.soundOn) playChime(kind);
    flashTitle(title, kind === "assignment");
  }

  private announce(text: string): void {
    const id = `${Date.now()}-${Math.random()}`;
    this.store.set((s) => ({ announcements: [...s.announcements.slice(-2), { id, text }] }));
  }

  private persist(): void {
    const s = this.store.state;
    this.persisted = {
      status: s.status,
      maxChats: this.chosenLimit,
      conversations: s.order.filter((id) => !s.chats[id]?.endedBy && !s.chats[id]?.released),
      outbox: [...this.outbox.pending],
    };
    if (s.auth) saveJson(STATE_KEY, this.persisted);
  }

  private outboxHooks() {
    return {
      stored: (entry: OutgoingMessage, message: Message) => this.applyMessages(entry.conversation_id, [message]),
      waiting: (entry: OutgoingMessage) =>
        this.updateChat(entry.conversation_id, (c) => ({ messages: setDelivery(c.messages, entry.client_id, "queued") })),
      failed: (entry: OutgoingMessage, error: { message: string }) =>
        this.updateChat(entry.conversation_id, (c) => ({
          messages: setDelivery(c.messages, entry.client_id, "failed", error.message),
        })),
      changed: () => {
        if (this.store) this.persist();
      },
    };
  }
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

const RANK: Record<Severity, number> = { none: 0, high: 1, imminent: 2 };

function higher(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a;
}
