export type Connection = "idle" | "connecting" | "online" | "offline";

interface Props {
  connection: Connection;
  offlineText?: string;
}

/** Always says where the connection stands when it is not fine: never a silent failure. */
export function ConnectionBanner({ connection, offlineText }: Props) {
  const text =
    connection === "offline"
      ? (offlineText ?? "You're offline. Reconnecting automatically…")
      : connection === "connecting"
        ? "Connecting…"
        : "";
  return (
    <div
      class={text ? `connection connection--${connection}` : "connection connection--hidden"}
      role="status"
      data-connection={connection}
    >
      {text}
    </div>
  );
}
