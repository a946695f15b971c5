import { newClientId } from "../shared/clientId";
import type { Connection } from "../shared/components/ConnectionBanner";
import { call, openStaffSocket } from "../shared/connect";
import { hasGap, localMessage, setDelivery, type ShownMessage } from "../shared/messages";
import type {
  ChatEndedEvent,
  Conversation,
  Escalation,
  Language,
  Message,
  Outcome,
  Overview,
  Topic,
  TypingEvent,
  Visibility,
} from "../shared/protocol";
import { playChime } from "../shared/sound";
import { forgetAuth, signIn, storedAuth, type StaffAuth } from "../shared/staffSession";
import { severityRank, StaffController } from "../shared/staffController";
import { loadJson, removeKey, saveJson } from "../shared/storage";
import { labelFor } from "../shared/format";
import { askNotificationPermission, systemNotify } from "../shared/notify";
import { flashTitle } from "../shared/titleFlash";

export interface WatchedChat {
  conversation: Conversation;
  messages: ShownMessage[];
  lastSeq: number;
  typing: string | null;
  takenOver: boolean;
  endedBy: string | null;
  endedReason: string | null;
}

export interface SupervisorState {
  auth: StaffAuth | null;
  connection: Connection;
  escalations: Record<string, Escalation>;
  overview: Overview | null;
  chats: Record<string, WatchedChat>;
  order: string[];
  showResolved: boolean;
  soundOn: boolean;
  notice: string | null;
  topics: Topic[];
  languages: Language[];
  announcements: { id: string; text: string }[];
}

interface JoinAck {
  conversation: Conversation;
  messages: Message[];
  taken_over?: boolean;
}

const AUTH_KEY = "peerline.supervisor.auth";
const STATE_KEY = "peerline.supervisor.state";
const TYPING_TIMEOUT_MS = 8000;

/** Owns the supervisor's socket: escalations, overview, watched conversations. */
export class SupervisorController extends StaffController<WatchedChat, SupervisorState> {
  constructor() {
    super("supervisor", {
      auth: storedAuth(AUTH_KEY),
      connection: "idle",
      escalations: {},
      overview: null,
      chats: {},
      order: [],
      showResolved: false,
      soundOn: true,
      notice: null,
      topics: [],
      languages: [],
      announcements: [],
    });
    if (this.store.state.auth) this.connect();
  }

  async login(username: string, password: string): Promise<string | null> {
    askNotificationPermission(); // a user gesture: the only moment browsers allow asking
    const result = await signIn(AUTH_KEY, username, password, ["supervisor", "admin"]);
    if (typeof result === "string") return result;
    this.store.set({ auth: result, notice: null });
    this.connect();
    return null;
  }

  logout(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.outbox.clear();
    forgetAuth(AUTH_KEY);
    removeKey(STATE_KEY);
    this.store.set({ auth: null, connection: "idle", chats: {}, order: [], escalations: {}, overview: null });
  }

  async ack(escalationId: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call<{ escalation: Escalation }>(this.socket, "ack", { escalation_id: escalationId });
    if (ack.ok) this.upsert(ack.escalation);
    else this.store.set({ notice: `Could not acknowledge: ${ack.error.message}` });
  }

  async resolve(escalationId: string, outcome: Outcome, note: string): Promise<string | null> {
    if (!this.socket) return "You're offline.";
    const ack = await call<{ escalation: Escalation }>(this.socket, "resolve", {
      escalation_id: escalationId,
      outcome,
      note,
    });
    if (!ack.ok) return `Could not resolve: ${ack.error.message}`;
    this.upsert(ack.escalation);
    return null;
  }

  /** Join a conversation to watch it live (an audited read on the server). */
  async open(conversationId: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call<JoinAck>(this.socket, "join", { conversation_id: conversationId });
    if (!ack.ok) {
      this.store.set({ notice: `Could not open the conversation: ${ack.error.message}` });
      return;
    }
    this.addChat(ack.conversation, ack.messages, ack.taken_over === true);
    window.setTimeout(() => document.getElementById(`watch-${conversationId}`)?.focus(), 0);
  }

  close(conversationId: string): void {
    this.outbox.drop(conversationId);
    this.store.set((s) => {
      const chats = { ...s.chats };
      delete chats[conversationId];
      return { chats, order: s.order.filter((id) => id !== conversationId) };
    });
    this.persist();
  }

  send(conversationId: string, text: string, visibility: Visibility): void {
    const clientId = newClientId();
    const delivery = this.socket?.connected ? "sending" : "queued";
    this.updateChat(conversationId, (c) => ({
      messages: [...c.messages, localMessage(conversationId, clientId, "supervisor", text, visibility, delivery)],
    }));
    this.outbox.add({ conversation_id: conversationId, client_id: clientId, text, visibility });
  }

  retry(message: ShownMessage): void {
    if (!message.client_id) return;
    const clientId = message.client_id;
    this.updateChat(message.conversation_id, (c) => ({ messages: setDelivery(c.messages, clientId, "sending") }));
    this.outbox.retry({
      conversation_id: message.conversation_id,
      client_id: clientId,
      text: message.text,
      visibility: message.visibility,
    });
  }

  async takeOver(conversationId: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call<{ conversation: Conversation; message?: Message | null }>(this.socket, "take_over", {
      conversation_id: conversationId,
    });
    if (!ack.ok) {
      this.store.set({ notice: `Could not take over: ${ack.error.message}` });
      return;
    }
    this.updateChat(conversationId, () => ({ conversation: ack.conversation, takenOver: true }));
    if (ack.message) this.applyMessages(conversationId, [ack.message]);
    this.announce("You are now the responder in this conversation.");
  }

  setShowResolved(show: boolean): void {
    this.store.set({ showResolved: show });
  }

  private connect(): void {
    const auth = this.store.state.auth;
    if (!auth || this.socket) return;
    void this.loadOptions();
    const socket = openStaffSocket("/supervisor", auth.token, {
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
    socket.on("escalation", (e: Escalation) => {
      this.upsert(e);
      if (e.status === "open") this.alarm(e, "Crisis alert");
    });
    socket.on("escalation_update", (e: Escalation) => {
      const before = this.store.state.escalations[e.escalation_id];
      this.upsert(e);
      // A later, more serious message raised an open crisis: as loud as a new alert.
      if (before && severityRank(e.severity) > severityRank(before.severity) && e.status !== "resolved") {
        this.alarm(e, "Crisis alert raised");
      }
    });
    socket.on("overview", (o: Overview) => this.store.set({ overview: o }));
    socket.on("message", (m: Message) => this.onMessage(m));
    socket.on("typing", (e: TypingEvent) => {
      if (!this.store.state.chats[e.conversation_id] || e.sender === "supervisor") return;
      window.clearTimeout(this.typingTimers.get(e.conversation_id));
      this.updateChat(e.conversation_id, () => ({ typing: e.typing ? e.sender : null }));
      if (e.typing) {
        this.typingTimers.set(
          e.conversation_id,
          window.setTimeout(() => this.updateChat(e.conversation_id, () => ({ typing: null })), TYPING_TIMEOUT_MS),
        );
      }
    });
    socket.on("chat_ended", (e: ChatEndedEvent) => {
      this.updateChat(e.conversation_id, (c) => ({
        endedBy: e.by,
        endedReason: e.reason,
        typing: null,
        conversation: { ...c.conversation, status: "ended" },
      }));
      this.persist();
    });
  }

  private async afterConnect(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const [open, acknowledged] = await Promise.all([
      call<{ escalations: Escalation[] }>(socket, "list_escalations", { status: "open" }),
      call<{ escalations: Escalation[] }>(socket, "list_escalations", { status: "acknowledged" }),
    ]);
    if (open.ok && acknowledged.ok) {
      const fresh: Record<string, Escalation> = {};
      for (const e of [...open.escalations, ...acknowledged.escalations]) fresh[e.escalation_id] = e;
      this.store.set((s) => {
        // Keep resolved ones already on screen; take the server's word for the rest.
        const resolved = Object.values(s.escalations).filter((e) => e.status === "resolved" && !fresh[e.escalation_id]);
        for (const e of resolved) fresh[e.escalation_id] = e;
        return { escalations: fresh };
      });
    } else {
      this.store.set({ notice: "Could not load the escalation list. It will refresh when the connection is back." });
    }
    const watched = new Set([...(loadJson<string[]>(STATE_KEY) ?? []), ...this.store.state.order]);
    // The server knows which conversations this supervisor took over (another tab, a cleared storage).
    const mine = await call<{ conversations: Conversation[] }>(socket, "list_conversations", null);
    if (mine.ok) for (const c of mine.conversations) watched.add(c.conversation_id);
    for (const id of watched) {
      const chat = this.store.state.chats[id];
      if (chat?.endedBy) continue;
      const ack = await call<JoinAck>(socket, "join", { conversation_id: id });
      if (ack.ok) this.addChat(ack.conversation, ack.messages, ack.taken_over === true);
    }
    void this.outbox.flush();
  }

  /** Chime, title, a system notification when the dashboard is not in front, and the live region. */
  private alarm(e: Escalation, title: string): void {
    const what = alertSummary(e, this.store.state.topics, this.store.state.languages);
    if (this.store.state.soundOn) playChime("alert");
    flashTitle(title, true);
    systemNotify(`Peerline: ${title.toLowerCase()}`, what, e.escalation_id);
    this.announce(`${title}: ${what}.`);
  }

  private upsert(e: Escalation): void {
    this.store.set((s) => ({ escalations: { ...s.escalations, [e.escalation_id]: { ...s.escalations[e.escalation_id], ...e } } }));
  }

  /** ``takenOver`` is the server's word (join/resume ack): a reload must never forget a take-over. */
  private addChat(conversation: Conversation, messages: Message[], takenOver: boolean): void {
    const id = conversation.conversation_id;
    this.store.set((s) => {
      const existing = s.chats[id];
      const chat: WatchedChat = existing ?? {
        conversation,
        messages: [],
        lastSeq: 0,
        typing: null,
        takenOver,
        endedBy: conversation.status === "ended" ? "system" : null,
        endedReason: null,
      };
      return {
        chats: { ...s.chats, [id]: { ...chat, conversation, takenOver } },
        order: s.order.includes(id) ? s.order : [id, ...s.order],
      };
    });
    this.applyMessages(id, messages);
    this.persist();
  }

  private onMessage(message: Message): void {
    const chat = this.store.state.chats[message.conversation_id];
    if (!chat) return;
    if (hasGap(chat.lastSeq, message)) void this.open(message.conversation_id);
    this.applyMessages(message.conversation_id, [message]);
    if (message.sender !== "supervisor") {
      this.updateChat(message.conversation_id, () => ({ typing: null }));
      this.announce(`${message.sender === "seeker" ? "Seeker" : message.sender === "listener" ? "Listener" : "Peerline"}: ${message.text}`);
    }
  }

  private persist(): void {
    const s = this.store.state;
    if (s.auth) saveJson(STATE_KEY, s.order.filter((id) => !s.chats[id]?.endedBy));
  }
}

/** "imminent risk, suicide — Veterans & PTSD, English": what and who, never what anyone wrote. */
export function alertSummary(e: Escalation, topics: readonly Topic[], languages: readonly Language[]): string {
  const what = `${e.severity} risk${e.category ? `, ${e.category.replace(/_/g, " ")}` : ""}`;
  const where = [e.topic ? labelFor(topics, e.topic) : null, e.language ? labelFor(languages, e.language) : null]
    .filter(Boolean)
    .join(", ");
  const group = e.group ? `in the support group “${e.group.title}”, member “${e.group.alias}”` : null;
  const place = [where, group].filter(Boolean).join(", ");
  return place ? `${what} — ${place}` : what;
}
