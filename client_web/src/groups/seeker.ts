import type { Socket } from "socket.io-client";
import { createSeeker } from "../shared/api";
import { call, openSocket } from "../shared/connect";
import type { CrisisResource } from "../shared/protocol";
import { loadJson, removeKey, saveJson } from "../shared/storage";
import { Store } from "../shared/store";
import { loadSession, saveSession } from "../seeker/session";
import type { GroupCrisis, GroupSession, RoomAck } from "./protocol";
import { GroupRoom, explain } from "./room";

/** The seeker's side of support groups: the list, the join form (alias + guidelines), the room.
 * Uses the widget's anonymous identity (the same sessionStorage, wiped by quick exit); after a reload or a
 * dropped network it resumes the room it was in, after the last seq it has. */
export interface SeekerGroupsState {
  view: "list" | "join" | "room";
  sessions: GroupSession[];
  loading: boolean;
  choice: GroupSession | null;
  error: string | null;
  crisis: CrisisResource[] | null;
  invited: string | null;
  online: boolean;
}

const ROOM_KEY = "peerline.seeker.group";

/** Was this tab in a group room (so a reload opens the groups again)? */
export function inGroup(): boolean {
  return loadJson<{ sessionId: string }>(ROOM_KEY) !== null;
}

export class SeekerGroupsController {
  readonly store = new Store<SeekerGroupsState>({
    view: "list",
    sessions: [],
    loading: true,
    choice: null,
    error: null,
    crisis: null,
    invited: null,
    online: false,
  });
  readonly room = new GroupRoom(() => this.socket);
  private socket: Socket | null = null;

  async start(): Promise<void> {
    const socket = await this.connect();
    if (!socket) return;
    const saved = loadJson<{ sessionId: string }>(ROOM_KEY);
    if (saved?.sessionId) {
      const ack = await call<RoomAck>(socket, "resume", { session_id: saved.sessionId, after_seq: 0 });
      if (ack.ok) {
        this.room.entered(ack);
        this.store.set({ view: "room" });
      } else removeKey(ROOM_KEY);
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.socket) return;
    const ack = await call<{ sessions: GroupSession[] }>(this.socket, "list_sessions", null);
    this.store.set(ack.ok ? { sessions: ack.sessions, loading: false } : { loading: false, error: ack.error.message });
  }

  choose(session: GroupSession | null): void {
    this.store.set({ view: session ? "join" : "list", choice: session, error: null });
  }

  async join(alias: string, accepted: boolean): Promise<void> {
    const choice = this.store.state.choice;
    if (!this.socket || !choice) return;
    const ack = await call<RoomAck>(this.socket, "join", {
      session_id: choice.session_id,
      alias,
      accept_guidelines: accepted,
    });
    if (!ack.ok) {
      this.store.set({ error: explain(ack as never) });
      return;
    }
    saveJson(ROOM_KEY, { sessionId: choice.session_id });
    this.room.entered(ack);
    this.store.set({ view: "room", error: null });
  }

  async leave(erase: boolean): Promise<void> {
    const id = this.room.sessionId;
    if (this.socket && id) await call(this.socket, "leave", { session_id: id, erase });
    removeKey(ROOM_KEY);
    this.room.store.set({ session: null, me: null, members: [], messages: [], typing: 0, pinned: null, ended: false, removed: false });
    this.store.set({ view: "list", choice: null, crisis: null });
    await this.refresh();
  }

  /** The facilitator's invitation: the widget's one-to-one resumes the new conversation on reload. */
  acceptInvite(): void {
    const conversationId = this.store.state.invited;
    if (!conversationId) return;
    const session = loadSession();
    saveSession({ ...session, conversationId, lastSeq: 0 });
    window.location.reload();
  }

  close(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  private async connect(): Promise<Socket | null> {
    const session = loadSession();
    if (!session.token) {
      try {
        const identity = await createSeeker(session.language ?? "en");
        session.token = identity.token;
        saveSession(session);
      } catch (error) {
        this.store.set({ loading: false, error: (error as Error).message });
        return null;
      }
    }
    const socket = openSocket("/groups", session.token as string);
    this.socket = socket;
    this.room.attach(socket);
    socket.on("crisis_resources", (e: GroupCrisis) => this.store.set({ crisis: e.resources }));
    socket.on("invited", (e: { conversation_id: string }) => this.store.set({ invited: e.conversation_id }));
    socket.on("disconnect", () => this.store.set({ online: false }));
    await new Promise<void>((resolve) => {
      let first = true;
      socket.on("connect", () => {
        this.store.set({ online: true });
        if (first) {
          first = false;
          resolve();
        } else void this.room.resume();
      });
      socket.on("connect_error", () => {
        if (first) {
          first = false;
          this.store.set({ loading: false, error: "Could not reach the service. Try again in a moment." });
          resolve();
        }
      });
    });
    return socket.connected ? socket : null;
  }
}
