/**
 * Peerline embed loader — served at a stable URL as `/widget.js`:
 *
 *   <script src="https://peerline.example/widget.js" data-topic="veterans" defer></script>
 *
 * Adds a launcher button and a chat panel holding an iframe of `<origin>/?embed=1&topic=…`. Optional
 * attributes: data-topic, data-language, data-label (launcher text), data-exit-url (where Quick exit
 * goes; default a neutral search page), data-position ("right" | "left").
 *
 * Styles are set through the CSSOM (element.style), which a host page's CSP does not block, so the
 * host only needs to allow this script and the frame. No framework, no globals, nothing stored except
 * one sessionStorage flag that reopens the panel after a reload (cleared by Quick exit).
 */
(function peerlineWidget(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || !script.src) return;
  const w = window as unknown as { __peerlineWidget?: boolean };
  if (w.__peerlineWidget) return;
  w.__peerlineWidget = true;

  const origin = new URL(script.src, window.location.href).origin;
  const data = script.dataset;
  const OPEN_KEY = "peerline-widget-open";
  const exitUrl = /^https?:\/\//i.test(data.exitUrl ?? "") ? (data.exitUrl as string) : "https://www.google.com/";
  const side = data.position === "left" ? "left" : "right";

  const params = new URLSearchParams({ embed: "1" });
  if (data.topic) params.set("topic", data.topic);
  if (data.language) params.set("language", data.language);
  const frameUrl = `${origin}/?${params.toString()}`;

  function css(element: HTMLElement, styles: Record<string, string>): void {
    for (const [name, value] of Object.entries(styles)) element.style.setProperty(name, value);
  }

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.textContent = data.label || "Talk to a peer";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "peerline-panel");
  launcher.setAttribute("data-peerline", "launcher");
  css(launcher, {
    position: "fixed",
    bottom: "16px",
    [side]: "16px",
    "z-index": "2147483646",
    padding: "12px 18px",
    "border-radius": "24px",
    border: "2px solid #ffffff",
    background: "#1b5e72",
    color: "#ffffff",
    font: "600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    cursor: "pointer",
    "box-shadow": "0 4px 14px rgba(0,0,0,0.25)",
  });

  const panel = document.createElement("div");
  panel.id = "peerline-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Peerline peer support chat");
  panel.setAttribute("data-peerline", "panel");
  panel.hidden = true;
  css(panel, {
    position: "fixed",
    bottom: "72px",
    [side]: "16px",
    width: "min(400px, calc(100vw - 16px))",
    height: "min(640px, calc(100vh - 88px))",
    "z-index": "2147483647",
    "border-radius": "12px",
    overflow: "hidden",
    "box-shadow": "0 8px 30px rgba(0,0,0,0.3)",
    background: "#ffffff",
  });
  if (window.innerWidth < 480) {
    css(panel, { width: "100vw", height: "calc(100vh - 64px)", bottom: "64px", [side]: "0", "border-radius": "0" });
  }

  let frame: HTMLIFrameElement | null = null;

  function ensureFrame(): HTMLIFrameElement {
    if (frame) return frame;
    frame = document.createElement("iframe");
    frame.src = frameUrl;
    frame.title = "Peerline peer support chat";
    frame.setAttribute("data-peerline", "frame");
    frame.referrerPolicy = "no-referrer";
    css(frame, { width: "100%", height: "100%", border: "0", display: "block" });
    panel.appendChild(frame);
    return frame;
  }

  function remember(open: boolean): void {
    try {
      if (open) window.sessionStorage.setItem(OPEN_KEY, "1");
      else window.sessionStorage.removeItem(OPEN_KEY);
    } catch {
      /* storage blocked */
    }
  }

  function open(): void {
    ensureFrame();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.textContent = "Close chat";
    remember(true);
    frame?.focus();
  }

  function close(): void {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.textContent = data.label || "Talk to a peer";
    remember(false);
    launcher.focus();
  }

  let leaving = false;

  function leave(): void {
    try {
      window.sessionStorage.removeItem(OPEN_KEY);
    } catch {
      /* storage blocked */
    }
    document.title = "";
    window.location.replace(exitUrl);
  }

  /** Hide everything at once; when the frame has not wiped its own state yet, ask it to and give it a
   * moment (it answers "peerline:wiped"), then replace the page. */
  function quickExit(frameWiped: boolean): void {
    if (leaving) return;
    leaving = true;
    const cover = document.createElement("div");
    css(cover, { position: "fixed", inset: "0", background: "#ffffff", "z-index": "2147483647" });
    document.body.appendChild(cover);
    css(panel, { visibility: "hidden" });
    launcher.remove();
    if (frameWiped || !frame?.contentWindow) {
      leave();
      return;
    }
    frame.contentWindow.postMessage({ type: "peerline:quick-exit" }, origin);
    window.setTimeout(leave, 400);
  }

  launcher.addEventListener("click", () => (panel.hidden ? open() : close()));

  window.addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    const type = (event.data as { type?: unknown } | null)?.type;
    if (type === "peerline:quick-exit" || type === "peerline:wiped") {
      if (leaving && type === "peerline:wiped") leave();
      else quickExit(true);
    } else if (type === "peerline:close") close();
  });

  // Escape twice on the host page also leaves at once (inside the panel the app handles it).
  let lastEscape = 0;
  document.addEventListener(
    "keydown",
    (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !frame) return;
      const now = Date.now();
      if (now - lastEscape < 1000) quickExit(false);
      lastEscape = now;
    },
    true,
  );

  function mount(): void {
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    let reopen = false;
    try {
      reopen = window.sessionStorage.getItem(OPEN_KEY) === "1";
    } catch {
      reopen = false;
    }
    if (reopen) open();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
