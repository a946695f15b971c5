/** Flashes the document title until the page is visible and focused again. */

let timer: number | undefined;
let baseTitle = "";

function stop(): void {
  if (timer === undefined) return;
  window.clearInterval(timer);
  timer = undefined;
  document.title = baseTitle;
}

function attentive(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

export function flashTitle(notice: string, force = false): void {
  if (!force && attentive()) return;
  if (timer === undefined) baseTitle = document.title;
  window.clearInterval(timer);
  let on = false;
  timer = window.setInterval(() => {
    on = !on;
    document.title = on ? `● ${notice}` : baseTitle;
    if (!force && attentive()) stop();
  }, 1000);
  document.title = `● ${notice}`;
}

export function stopTitleFlash(): void {
  stop();
}

window.addEventListener("focus", () => stop());
document.addEventListener("visibilitychange", () => {
  if (attentive()) stop();
});
// Any interaction with the page means the person has seen it.
window.addEventListener("pointerdown", () => stop(), { capture: true });
window.addEventListener("keydown", () => stop(), { capture: true });
