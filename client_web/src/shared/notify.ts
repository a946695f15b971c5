/** System notifications (the browser Notification API) for alerts that must reach someone who is in
 * another tab or window. Permission is asked for on sign-in, a user gesture, as browsers require.
 * A notification can show on a lock screen, so it never carries what anyone wrote. */

export function askNotificationPermission(): void {
  try {
    if ("Notification" in window && Notification.permission === "default") void Notification.requestPermission();
  } catch {
    /* not supported here: the banner, the chime and the title still alert */
  }
}

export function notificationsAllowed(): boolean {
  return "Notification" in window && Notification.permission === "granted";
}

/** Shown only when the page is not in front of the person (the banner already is when it is). */
export function systemNotify(title: string, body: string, tag: string): void {
  if (!notificationsAllowed()) return;
  if (document.visibilityState === "visible" && document.hasFocus()) return;
  try {
    const note = new Notification(title, { body, tag, requireInteraction: true });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
