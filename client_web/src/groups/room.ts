import type { Socket } from "socket.io-client";
import { call } from "../shared/connect";
import { newClientId } from "../shared/clientId";
import type { Ack } from "../shared/protocol";
import { Store } from "../shared/store";
import type { GroupMember, GroupMessage, GroupSession, RoomAck } from "./protocol";

/** One support group room as a client sees it: messages placed by `seq` (a seq already held is dropped, so the
 * overlap between a `resume` answer and live events never shows twice), members, typing count, pinned guidelines,
 * and how the seat ended. Shared by the seeker widget and the facilitator's console. */
export interface RoomState {
  session: GroupSession | null;
  me: GroupMember | null;
  members: GroupMember[];
  messages: GroupMessage[];
  typing: number;
  pinned: string | null;
  ended: boolean;
  removed: boolean;
  error: string | null;
}

export function emptyRoom(): RoomState {
  return { session: null, me: null, members: [], messages: [], typing: 0, pinned: null, ended: false, removed: false, error: null };
}

const REASONS: Record<string, string> = {
  full: "Every seat in this session is taken.",
  ended: "This session has ended.",
  not_open: "This session has not opened yet. It opens 10 minutes before it starts.",
  alias_taken: "Someone in this session already uses that name. Choose another.",
  alias: "Choose a name of 2 to 32 letters, digits or spaces (no links, symbols or role names).",
  guidelines: "Please read and accept the group's guidelines first.",
  removed: "A facilitator removed you from this session.",
  muted: "A facilitator muted you: you can still read along.",
  not_member: "You are not in this session.",
};

/** What to tell a person about a refused call. */
export function explain(ack: { error: { message: string }; reason?: string }): string {
  return (ack.reason && REASONS[ack.reason]) || ack.error.message;
}

export class GroupRoom {
  readonly store = new Store<RoomState>(emptyRoom());
  private typingSent = false;

  constructor(private readonly socket: () => Socket | null) {}

  get sessionId(): string | null {
    return this.store.state.session?.session_id ?? null;
  }

  /** Listen for the room's events on this socket (call once per socket). */
  attach(socket: Socket): void {
    socket.on("message", (m: GroupMessage) => this.place([m]));
    socket.on("typing", (e: { session_id: string; count: number }) => this.mine(e) && this.store.set({ typing: e.count }));
    socket.on("member_joined", (e: { session_id: string; member: GroupMember }) => {
      if (this.mine(e)) this.store.set((s) => ({ members: [...s.members.filter((m) => m.member_id !== e.member.member_id), e.member] }));
    });
    socket.on("member_left", (e: { session_id: string; member_id: string }) => this.mine(e) && this.drop(e.member_id));
    socket.on("member_removed", (e: { session_id: string; member_id: string }) => {
      if (!this.mine(e)) return;
      if (this.store.state.me?.member_id === e.member_id) this.store.set({ removed: true });
      this.drop(e.member_id);
    });
    socket.on("member_muted", (e: GroupMember & { session_id: string }) => {
      if (!this.mine(e)) return;
      this.store.set((s) => ({
        members: s.members.map((m) => (m.member_id === e.member_id ? { ...m, muted: e.muted } : m)),
        me: s.me && s.me.member_id === e.member_id ? { ...s.me, muted: e.muted } : s.me,
      }));
    });
    socket.on("member_erased", (e: { session_id: string; member_id: string }) => {
      if (this.mine(e)) this.store.set((s) => ({ messages: s.messages.map((m) => (m.member_id === e.member_id ? { ...m, text: null, erased: true } : m)) }));
    });
    socket.on("message_deleted", (e: { session_id: string; message_id: string; reason?: string }) => {
      if (this.mine(e))
        this.store.set((s) => ({
          messages: s.messages.map((m) => (m.id === e.message_id ? { ...m, deleted: true, text: e.reason !== undefined ? m.text : null, delete_reason: e.reason ?? m.delete_reason } : m)),
        }));
    });
    socket.on("pinned", (e: { session_id: string; pinned: boolean; guidelines: string | null }) => {
      if (this.mine(e)) this.store.set({ pinned: e.pinned ? e.guidelines : null });
    });
    socket.on("session_ended", (e: { session_id: string }) => this.mine(e) && this.store.set({ ended: true }));
  }

  /** A join, facilitate or resume answer. */
  entered(ack: RoomAck): void {
    const s = ack.session;
    this.store.set((state) => ({
      session: s,
      me: ack.member ?? state.me,
      members: ack.members,
      pinned: s.pinned ? s.guidelines : null,
      ended: s.state === "ended" || s.state === "cancelled",
      error: null,
    }));
    this.place(ack.messages);
  }

  /** Resume after the last seq up to which every message is held (a later one may have arrived first, e.g. our
   * own ack while the one before it was still on its way). */
  lastSeq(): number {
    const { messages } = this.store.state;
    if (messages.length === 0) return 0;
    let last = messages[0].seq;
    for (const m of messages.slice(1)) {
      if (m.seq !== last + 1) break;
      last = m.seq;
    }
    return last;
  }

  async resume(): Promise<void> {
    const socket = this.socket();
    const id = this.sessionId;
    if (!socket || !id || this.store.state.removed) return;
    const ack = await call<RoomAck>(socket, "resume", { session_id: id, after_seq: this.lastSeq() });
    const reason = ack.ok ? null : (ack as { reason?: string }).reason;
    if (ack.ok) this.entered(ack);
    else if (reason === "removed") this.store.set({ removed: true });
    else if (reason === "not_member" && this.store.state.me?.role === "member") {
      // away past the grace period, the seat was given back: take one again under the same alias
      // (the guidelines were accepted at the first join)
      const again = await call<RoomAck>(socket, "join", {
        session_id: id,
        alias: this.store.state.me.alias,
        accept_guidelines: true,
      });
      if (again.ok) this.entered(again);
      else this.store.set({ error: explain(again as { error: { message: string }; reason?: string }) });
    }
  }

  async send(text: string): Promise<string | null> {
    const socket = this.socket();
    const id = this.sessionId;
    if (!socket || !id) return "You are offline.";
    const clientId = newClientId();
    for (let attempt = 0; attempt < 3; attempt++) {
      const ack = await call<{ message: GroupMessage }>(socket, "message", { session_id: id, client_id: clientId, text });
      if (ack.ok) {
        this.place([ack.message]);
        return null;
      }
      if (!["timeout", "unavailable"].includes(ack.error.code)) return explain(ack as never);
      await new Promise((r) => window.setTimeout(r, 500));
    }
    return "The message could not be sent. Try again.";
  }

  typing(typing: boolean): void {
    const socket = this.socket();
    const id = this.sessionId;
    if (!socket || !id || typing === this.typingSent) return;
    this.typingSent = typing;
    void call(socket, "typing", { session_id: id, typing });
  }

  async report(messageId: string): Promise<boolean> {
    const socket = this.socket();
    const id = this.sessionId;
    if (!socket || !id) return false;
    return (await call(socket, "report", { session_id: id, message_id: messageId })).ok;
  }

  private place(incoming: GroupMessage[]): void {
    if (incoming.length === 0) return;
    this.store.set((s) => {
      const bySeq = new Map(s.messages.map((m) => [m.seq, m]));
      for (const m of incoming) if (!s.session || m.session_id === s.session.session_id) bySeq.set(m.seq, m);
      return { messages: [...bySeq.values()].sort((a, b) => a.seq - b.seq) };
    });
  }

  private drop(memberId: string): void {
    this.store.set((s) => ({ members: s.members.filter((m) => m.member_id !== memberId) }));
  }

  private mine(e: { session_id: string }): boolean {
    return e.session_id === this.sessionId;
  }
}

export type { Ack };
