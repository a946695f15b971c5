import type { Socket } from "socket.io-client";
import { ApiError, createSeeker } from "../shared/api";
import { newClientId } from "../shared/clientId";
import type { Connection } from "../shared/components/ConnectionBanner";
import { call, isUnauthorized, openSocket } from "../shared/connect";
import {
  hasGap,
  highestSeq,
  localMessage,
  mergeMessages,
  setDelivery,
  type ShownMessage,
} from "../shared/messages";
import { Outbox } from "../shared/outbox";
import type {
  ChatEndedEvent,
  Conversation,
  CrisisResource,
  CrisisResourcesEvent,
  MatchedEvent,
  Message,
  QueueEvent,
  TypingEvent,
} from "../shared/protocol";
import { playChime } from "../shared/sound";
import { Store } from "../shared/store";
import { flashTitle } from "../shared/titleFlash";
import { type SeekerLang, t, toSeekerLang } from "./i18n";
import { emptySession, loadSession, saveSession, type SeekerSession } from "./session";

export type Phase = "intro" | "starting" | "waiting" | "chatting" | "ended";

export interface SeekerState {
  phase: Phase;
  connection: Connection;
  conversationId: string | null;
  position: number | null;
  estimatedWaitS: number | null;
  listenerName: string | null;
  messages: ShownMessage[];
  listenerTyping: boolean;
  crisis: CrisisResource[] | null;
  endedBy: string | null;
  notice: string | null;
  announcements: { id: string; text: string }[];
  /** The interface language (the chosen chat language, else the browser's), and the chat's language. */
  lang: SeekerLang;
  language: string | null;
  /** false when nobody who speaks the chat's language is on duty (from `queue`); null when not known. */
  languageAvailable: boolean | null;
}

const TYPING_TIMEOUT_MS = 8000;

/** Owns the seeker's socket and session; the screens only read `store` and call methods. */
export class SeekerController {
  readonly store = new Store<SeekerState>({
    phase: "intro",
    connection: "idle",
    conversationId: null,
    position: null,
    estimatedWaitS: null,
    listenerName: null,
    messages: [],
    listenerTyping: false,
    crisis: null,
    endedBy: null,
    notice: null,
    announcements: [],
    lang: "en",
    language: null,
    languageAvailable: null,
  });

  private session: SeekerSession;
  private socket: Socket | null = null;
  private outbox: Outbox;
  private typingTimer: number | undefined;
  /** After a page load the transcript is not in memory: the first resume asks for everything. */
  private haveTranscript = false;

  constructor() {
    this.session = loadSession();
    const asked = new URLSearchParams(window.location.search).get("language");
    this.store.set({
      lang: toSeekerLang(this.session.language) ?? toSeekerLang(asked) ?? toSeekerLang(navigator.language) ?? "en",
      language: this.session.language,
    });
    this.outbox = new Outbox(() => this.socket, this.outboxHooks(), this.session.outbox);
    if (this.session.crisis) this.store.set({ crisis: this.session.crisis });
    if (this.session.token && this.session.conversationId) {
      this.store.set({
        phase: "waiting",
        conversationId: this.session.conversationId,
        messages: this.session.outbox.map((e) =>
          localMessage(e.conversation_id, e.client_id, "seeker", e.text, "all", "queued"),
        ),
      });
      this.connect();
    }
    window.addEventListener("offline", () => this.store.set({ connection: "offline" }));
    window.addEventListener("online", () => {
      if (this.socket && !this.socket.connected) this.socket.connect();
    });
  }

  /** The seeker chose a language: the interface follows at once (English for a language it lacks). */
  setLanguage(language: string): void {
    this.store.set({ lang: toSeekerLang(language) ?? "en", language });
  }

  /** Ask for a chat: get an anonymous identity if needed, connect, `request_chat`. */
  async start(topic: string, language: string, firstText: string): Promise<void> {
    if (this.store.state.phase === "starting") return;
    this.store.set({ phase: "starting", notice: null, crisis: null, endedBy: null, messages: [], languageAvailable: null });
    this.setLanguage(language);
    this.haveTranscript = true;
    this.outbox.clear();
    this.session = { ...emptySession(), token: this.session.token, topic, language };
    this.persist();
    let socket: Socket | null = null;
    for (let attempt = 0; attempt < 2 && !socket; attempt += 1) {
      try {
        if (!this.session.token) {
          const identity = await createSeeker(language);
          this.session.token = identity.token;
          this.persist();
        }
      } catch (error) {
        this.store.set({
          phase: "intro",
          notice: error instanceof ApiError ? error.message : t().couldNotStart,
        });
        return;
      }
      const candidate = this.connect();
      if (await this.waitConnected(candidate)) socket = candidate;
      else if (this.session.token) break;
    }
    if (!socket) {
      this.store.set({
        phase: "intro",
        connection: this.socket ? "offline" : "idle",
        notice: t().couldNotConnect,
      });
      return;
    }
    const text = firstText.trim();
    const payload: Record<string, unknown> = { topic, language };
    let firstMessage: ShownMessage | null = null;
    if (text) {
      payload.text = firstText;
      payload.client_id = newClientId();
      firstMessage = localMessage("", payload.client_id as string, "seeker", firstText);
      this.store.set({ messages: [firstMessage] });
    }
    const ack = await call<{ conversation_id: string; position: number }>(socket, "request_chat", payload);
    if (!ack.ok && ack.error.code === "conflict" && typeof ack.conversation_id === "string") {
      // Our earlier request was stored but its answer was lost: carry on with that conversation.
      this.session.conversationId = ack.conversation_id;
      this.persist();
      this.store.set({ conversationId: ack.conversation_id, phase: "waiting", messages: [] });
      await this.resume();
      return;
    }
    if (!ack.ok) {
      const message =
        ack.error.code === "conflict"
          ? t().alreadyOpen
          : ack.error.code === "rate_limited"
            ? t().tooMany
            : t().couldNotStartBecause(ack.error.message);
      this.store.set({ phase: "intro", notice: message, messages: [] });
      return;
    }
    this.session.conversationId = ack.conversation_id;
    this.persist();
    const state = this.store.state;
    this.store.set({
      conversationId: ack.conversation_id,
      phase: state.phase === "chatting" || ack.position === 0 ? "chatting" : "waiting",
      position: ack.position > 0 ? ack.position : state.position,
      messages: state.messages.map((m) => ({ ...m, conversation_id: ack.conversation_id })),
    });
    // The first message was stored with the request; `resume` brings back the stored copy.
    if ((await this.resume()) && firstMessage) {
      const localId = firstMessage.id;
      this.store.set((s) => ({ messages: s.messages.filter((m) => m.id !== localId) }));
    }
  }

  send(text: string): void {
    const conversationId = this.session.conversationId;
    if (!conversationId) return;
    const clientId = newClientId();
    const connected = this.socket?.connected ?? false;
    this.store.set((s) => ({
      messages: [...s.messages, localMessage(conversationId, clientId, "seeker", text, "all", connected ? "sending" : "queued")],
    }));
    this.outbox.add({ conversation_id: conversationId, client_id: clientId, text });
  }

  retry(message: ShownMessage): void {
    if (!message.client_id) return;
    this.store.set((s) => ({ messages: setDelivery(s.messages, message.client_id as string, "sending") }));
    this.outbox.retry({ conversation_id: message.conversation_id, client_id: message.client_id, text: message.text });
  }

  typing(typing: boolean): void {
    const conversationId = this.session.conversationId;
    if (this.socket?.connected && conversationId && this.store.state.phase === "chatting") {
      void call(this.socket, "typing", { conversation_id: conversationId, typing });
    }
  }

  async endChat(): Promise<void> {
    const conversationId = this.session.conversationId;
    if (!conversationId || !this.socket) return;
    const ack = await call(this.socket, "end_chat", { conversation_id: conversationId });
    if (ack.ok || ack.error.code === "conflict" || ack.error.code === "not_found") {
      this.finish("seeker");
    } else {
      this.store.set({
        notice:
          ack.error.code === "offline"
            ? t().offlineEnd
            : t().couldNotEnd(ack.error.message),
      });
    }
  }

  /** Back to the start screen after a chat ended. The identity token is kept for the next chat. */
  newChat(): void {
    this.session = { ...emptySession(), token: this.session.token };
    this.persist();
    this.outbox.clear();
    this.store.set({
      phase: "intro",
      conversationId: null,
      messages: [],
      crisis: null,
      endedBy: null,
      position: null,
      estimatedWaitS: null,
      listenerName: null,
      notice: null,
    });
  }

  dismissNotice(): void {
    this.store.set({ notice: null });
  }

  /** Quick exit: tell the service the chat is over (best effort, nothing awaited) and drop the socket. */
  abandon(): void {
    const conversationId = this.session.conversationId;
    if (this.socket?.connected && conversationId) {
      this.socket.emit("end_chat", { conversation_id: conversationId }, () => undefined);
    }
    this.outbox.clear();
    this.socket?.disconnect();
    this.socket = null;
  }

  private connect(): Socket {
    if (this.socket) return this.socket;
    const socket = openSocket("/seeker", this.session.token as string);
    this.socket = socket;
    this.store.set({ connection: "connecting" });
    socket.on("connect", () => {
      this.store.set({ connection: "online" });
      void this.afterConnect();
    });
    socket.on("disconnect", (reason) => {
      this.store.set({ connection: "offline", listenerTyping: false });
      if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), 1000);
    });
    socket.on("connect_error", (error) => {
      if (isUnauthorized(error)) {
        this.expired();
        return;
      }
      this.store.set({ connection: "offline" });
    });
    socket.on("queue", (e: QueueEvent) => {
      if (e.conversation_id !== this.session.conversationId) return;
      this.store.set((s) => ({
        position: e.position,
        estimatedWaitS: e.estimated_wait_s,
        languageAvailable: typeof e.language_available === "boolean" ? e.language_available : s.languageAvailable,
        phase: s.phase === "starting" || s.phase === "waiting" ? (e.position === 0 ? "chatting" : "waiting") : s.phase,
      }));
    });
    socket.on("matched", (e: MatchedEvent) => {
      if (this.session.conversationId && e.conversation_id !== this.session.conversationId) return;
      const name = e.listener?.display_name ?? null;
      this.store.set({ phase: "chatting", listenerName: name, position: 0 });
      this.announce(t().joined(name));
      this.callAttention("A listener joined");
    });
    socket.on("message", (m: Message) => this.onMessage(m));
    socket.on("typing", (e: TypingEvent) => {
      if (e.conversation_id !== this.session.conversationId || e.sender === "seeker") return;
      window.clearTimeout(this.typingTimer);
      this.store.set({ listenerTyping: e.typing });
      if (e.typing) this.typingTimer = window.setTimeout(() => this.store.set({ listenerTyping: false }), TYPING_TIMEOUT_MS);
    });
    socket.on("crisis_resources", (e: CrisisResourcesEvent) => {
      if (this.session.conversationId && e.conversation_id !== this.session.conversationId) return;
      this.session.crisis = e.resources;
      this.persist();
      this.store.set({ crisis: e.resources });
    });
    socket.on("chat_ended", (e: ChatEndedEvent) => {
      if (e.conversation_id !== this.session.conversationId) return;
      this.finish(e.by);
    });
    return socket;
  }

  private waitConnected(socket: Socket, timeoutMs = 10000): Promise<boolean> {
    if (socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        window.clearTimeout(timer);
        socket.off("connect", onConnect);
        socket.off("connect_error", onError);
        resolve(ok);
      };
      const onConnect = () => done(true);
      const onError = (error: unknown) => {
        if (isUnauthorized(error)) done(false);
      };
      const timer = window.setTimeout(() => done(false), timeoutMs);
      socket.on("connect", onConnect);
      socket.on("connect_error", onError);
    });
  }

  private async afterConnect(): Promise<void> {
    if (this.session.conversationId) await this.resume();
    void this.outbox.flush();
  }

  /** Fetch what was missed (everything after a page load) and rejoin the conversation's live events. */
  private async resume(): Promise<boolean> {
    const conversationId = this.session.conversationId;
    if (!conversationId || !this.socket) return false;
    const afterSeq = this.haveTranscript ? this.session.lastSeq : 0;
    const ack = await call<{ conversation: Conversation; messages: Message[] }>(this.socket, "resume", {
      conversation_id: conversationId,
      after_seq: afterSeq,
    });
    if (!ack.ok) {
      if (ack.error.code === "not_found" || ack.error.code === "forbidden") {
        this.newChat();
        this.store.set({ notice: t().notFound });
      } else if (ack.error.code !== "offline") {
        this.store.set({ notice: t().historyLater });
      }
      return false;
    }
    this.haveTranscript = true;
    const conversation = ack.conversation;
    this.applyMessages(ack.messages);
    const phase: Phase =
      conversation.status === "ended" ? "ended" : conversation.status === "active" ? "chatting" : "waiting";
    this.store.set((s) => ({
      phase: s.phase === "ended" ? "ended" : phase,
      listenerName: conversation.listener?.display_name ?? s.listenerName,
      notice: null,
    }));
    if (conversation.status === "ended") this.finish(this.store.state.endedBy ?? "system");
    return true;
  }

  private onMessage(message: Message): void {
    if (message.conversation_id !== this.session.conversationId || message.visibility === "staff") return;
    if (hasGap(this.session.lastSeq, message) && this.haveTranscript) void this.resume();
    this.applyMessages([message]);
    if (message.sender !== "seeker") {
      this.store.set({ listenerTyping: false });
      const who =
        message.sender === "listener"
          ? t().listenerLabel(message.sender_name ?? this.store.state.listenerName)
          : message.sender === "supervisor"
            ? t().supervisorLabel(message.sender_name ?? null)
            : t().peerline;
      this.announce(t().says(who, message.text));
      this.callAttention("New message");
    }
  }

  /** The waiting screen says the page may stay in the background: then a listener joining or replying
   * must reach the seeker there, with a soft chime and a flashing tab title (neutral words only). */
  private callAttention(title: string): void {
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    playChime("message");
    flashTitle(title);
  }

  private applyMessages(messages: Message[]): void {
    const visible = messages.filter((m) => m.visibility !== "staff");
    this.session.lastSeq = highestSeq(visible, this.session.lastSeq);
    this.persist();
    this.store.set((s) => ({ messages: mergeMessages(s.messages, visible, "seeker") }));
  }

  private announce(text: string): void {
    const id = `${Date.now()}-${Math.random()}`;
    this.store.set((s) => ({ announcements: [...s.announcements.slice(-2), { id, text }] }));
  }

  private finish(by: string): void {
    this.outbox.drop(this.session.conversationId ?? "");
    this.session = { ...emptySession(), token: this.session.token };
    this.persist();
    this.store.set((s) => ({
      phase: "ended",
      endedBy: by,
      listenerTyping: false,
      messages: s.messages.map((m) => (m.delivery ? { ...m, delivery: "failed", problem: "the chat has ended" } : m)),
    }));
  }

  private expired(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.outbox.clear();
    this.session = emptySession();
    this.persist();
    // While starting, `start` gets a fresh identity and tries again.
    if (this.store.state.phase === "starting") return;
    this.store.set({
      phase: "intro",
      connection: "idle",
      conversationId: null,
      messages: [],
      notice: t().expired,
    });
  }

  private persist(): void {
    this.session.outbox = [...this.outbox.pending];
    saveSession(this.session);
  }

  private outboxHooks() {
    return {
      stored: (_entry: unknown, message: Message) => this.applyMessages([message]),
      waiting: (entry: { client_id: string }) =>
        this.store.set((s) => ({ messages: setDelivery(s.messages, entry.client_id, "queued") })),
      failed: (entry: { client_id: string }, error: { code: string; message: string }) =>
        this.store.set((s) => ({
          messages: setDelivery(
            s.messages,
            entry.client_id,
            "failed",
            error.message,
          ),
        })),
      changed: () => {
        if (this.session) this.persist();
      },
    };
  }
}
