import type { Socket } from "socket.io-client";
import { call, openSocket } from "../shared/connect";
import { Store } from "../shared/store";
import type { Group, GroupReport, GroupRisk, RoomAck } from "./protocol";
import { GroupRoom, explain } from "./room";

/** The facilitator's side, inside the listener console: their groups and sessions, the room with its
 * moderation tools, and what needs them now (a member at risk, a reported message). */
export interface FacilitatorState {
  groups: Group[];
  loaded: boolean;
  risks: GroupRisk[];
  reports: GroupReport[];
  notice: string | null;
}

export class FacilitatorController {
  readonly store = new Store<FacilitatorState>({ groups: [], loaded: false, risks: [], reports: [], notice: null });
  readonly room = new GroupRoom(() => this.socket);
  private socket: Socket | null = null;

  constructor(private readonly token: string) {}

  start(): void {
    const socket = openSocket("/groups", this.token);
    this.socket = socket;
    this.room.attach(socket);
    socket.on("connect", () => {
      void this.refresh();
      void this.room.resume();
    });
    socket.on("risk", (e: GroupRisk) => this.store.set((s) => ({ risks: [e, ...s.risks.filter((r) => r.escalation_id !== e.escalation_id)] })));
    socket.on("report", (e: GroupReport) => this.store.set((s) => ({ reports: [e, ...s.reports] })));
  }

  close(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  async refresh(): Promise<void> {
    if (!this.socket) return;
    const ack = await call<{ groups: Group[] }>(this.socket, "list_groups", null);
    if (ack.ok) this.store.set({ groups: ack.groups, loaded: true });
  }

  async dropIn(groupId: string): Promise<void> {
    await this.act("schedule", { group_id: groupId, drop_in: true, duration_min: 60 });
    await this.refresh();
  }

  async open(sessionId: string): Promise<void> {
    if (!this.socket) return;
    const ack = await call<RoomAck>(this.socket, "facilitate", { session_id: sessionId });
    if (ack.ok) this.room.entered(ack);
    else this.store.set({ notice: explain(ack as never) });
  }

  mute(memberId: string, muted: boolean): Promise<boolean> {
    return this.act("mute", { session_id: this.room.sessionId, member_id: memberId, muted });
  }

  remove(memberId: string): Promise<boolean> {
    return this.act("remove", { session_id: this.room.sessionId, member_id: memberId, reason: "removed by the facilitator" });
  }

  invite(memberId: string, sessionId?: string): Promise<boolean> {
    return this.act("invite", { session_id: sessionId ?? this.room.sessionId, member_id: memberId }, "Invited to a one-to-one chat.");
  }

  pin(pinned: boolean): Promise<boolean> {
    return this.act("pin", { session_id: this.room.sessionId, pinned });
  }

  deleteMessage(messageId: string, reason: string): Promise<boolean> {
    return this.act("delete_message", { session_id: this.room.sessionId, message_id: messageId, reason });
  }

  async end(): Promise<void> {
    await this.act("end_session", { session_id: this.room.sessionId });
    await this.refresh();
  }

  dismissRisk(escalationId: string): void {
    this.store.set((s) => ({ risks: s.risks.filter((r) => r.escalation_id !== escalationId) }));
  }

  dismissNotice(): void {
    this.store.set({ notice: null });
  }

  private async act(event: string, payload: object, done?: string): Promise<boolean> {
    if (!this.socket) return false;
    const ack = await call(this.socket, event, payload);
    this.store.set({ notice: ack.ok ? (done ?? null) : explain(ack as never) });
    return ack.ok;
  }
}
