import { io, type Socket } from "socket.io-client";
import type { Ack } from "./protocol";

export type Namespace = "/seeker" | "/listener" | "/supervisor" | "/groups";

/** One socket per app, to the origin that served the page, WebSocket only. */
export function openSocket(namespace: Namespace, token: string): Socket {
  return io(window.location.origin + namespace, {
    auth: { token },
    transports: ["websocket"],
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 10000,
  });
}

const DEFAULT_TIMEOUT_MS = 10000;

/** Emit with an acknowledgement. Never throws: a missing answer becomes `timeout`, a socket that is
 * not connected becomes `offline` (nothing is buffered, so a retry cannot double-send). */
export async function call<T = object>(
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<Ack<T>> {
  if (!socket.connected) {
    return { ok: false, error: { code: "offline", message: "You are offline." } };
  }
  try {
    const answer = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<T> | null;
    if (answer && typeof answer === "object" && "ok" in answer) return answer;
    return { ok: false, error: { code: "unavailable", message: "Unexpected answer from the service." } };
  } catch {
    return { ok: false, error: { code: "timeout", message: "The service did not answer in time." } };
  }
}

/** Codes after which sending the same payload again may succeed. */
export function isRetryable(code: string): boolean {
  return code === "offline" || code === "timeout" || code === "unavailable" || code === "rate_limited";
}

export function isUnauthorized(error: unknown): boolean {
  const data = (error as { data?: { message?: string }; message?: string } | null) ?? null;
  return data?.message === "unauthorized" || data?.data?.message === "unauthorized";
}

export interface StaffSocketHooks {
  online: () => void;
  offline: () => void;
  /** The token was refused (expired, revoked, account deactivated): sign out. */
  unauthorized: () => void;
}

/** A staff console's socket: online/offline state, a reconnect after the server itself disconnected
 * (socket.io-client does not retry that on its own), and sign-out when the token is refused. */
export function openStaffSocket(namespace: Namespace, token: string, hooks: StaffSocketHooks): Socket {
  const socket = openSocket(namespace, token);
  socket.on("connect", hooks.online);
  socket.on("disconnect", (reason) => {
    hooks.offline();
    if (reason === "io server disconnect") window.setTimeout(() => socket.connect(), 1000);
  });
  socket.on("connect_error", (error) => (isUnauthorized(error) ? hooks.unauthorized() : hooks.offline()));
  return socket;
}
