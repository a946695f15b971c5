/** A fresh client_id for a message; the same id is reused for every retry of that message. */
export function newClientId(): string {
  if (typeof crypto.randomUUID === "function") return `c-${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
