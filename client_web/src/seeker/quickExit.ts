import { clearAllStorage } from "../shared/storage";

/** Where quick exit sends the standalone page: an ordinary, neutral site. */
export const DEFAULT_EXIT_URL = "https://www.google.com/";
const DOUBLE_ESCAPE_MS = 1000;

export const QUICK_EXIT_MESSAGE = "peerline:quick-exit";
export const CLOSE_MESSAGE = "peerline:close";

export function isEmbedded(): boolean {
  return new URLSearchParams(window.location.search).get("embed") === "1" && window.parent !== window;
}

/** Wipe the widget's state and get the chat off the screen at once. In the embedded panel the loader
 * script on the host page replaces the whole page (it knows the host's chosen exit URL); on the
 * standalone page this tab goes to a neutral site, replacing the history entry. */
export function quickExit(beforeLeaving: () => void): void {
  try {
    beforeLeaving();
  } finally {
    clearAllStorage();
    document.title = "New Tab";
    document.body.replaceChildren();
    if (isEmbedded()) {
      window.parent.postMessage({ type: QUICK_EXIT_MESSAGE }, "*");
      // No loader on the host page? Try to move the top page ourselves (allowed after a user gesture).
      window.setTimeout(() => {
        try {
          window.top?.location.replace(DEFAULT_EXIT_URL);
        } catch {
          window.location.replace("about:blank");
        }
      }, 300);
    } else {
      window.location.replace(DEFAULT_EXIT_URL);
    }
  }
}

/** Escape pressed twice within a second also quick-exits. */
export function listenForDoubleEscape(onExit: () => void): () => void {
  let last = 0;
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - last < DOUBLE_ESCAPE_MS) {
      event.preventDefault();
      onExit();
    }
    last = now;
  };
  document.addEventListener("keydown", onKey, true);
  return () => document.removeEventListener("keydown", onKey, true);
}

/** The host page's loader asks the panel to wipe itself (Escape twice on the host page). */
export function listenForHostExit(beforeLeaving: () => void): () => void {
  const onMessage = (event: MessageEvent) => {
    if (event.source !== window.parent || window.parent === window) return;
    if ((event.data as { type?: unknown } | null)?.type !== QUICK_EXIT_MESSAGE) return;
    try {
      beforeLeaving();
    } finally {
      clearAllStorage();
      document.body.replaceChildren();
      window.parent.postMessage({ type: "peerline:wiped" }, "*");
    }
  };
  window.addEventListener("message", onMessage);
  return () => window.removeEventListener("message", onMessage);
}
