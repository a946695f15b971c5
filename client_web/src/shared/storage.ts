/** JSON in sessionStorage: survives a reload of the tab, is gone when the tab closes. Storage can be
 * unavailable (privacy modes, blocked third-party storage); the apps then simply keep state in memory. */

export function loadJson<T>(key: string): T | null {
  try {
    const raw = window.sessionStorage.getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function saveJson(key: string, value: unknown): void {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or blocked: state stays in memory */
  }
}

export function removeKey(key: string): void {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    /* nothing stored */
  }
}

/** Wipes everything this origin stored in this tab and on this device. */
export function clearAllStorage(): void {
  for (const area of [() => window.sessionStorage, () => window.localStorage]) {
    try {
      area().clear();
    } catch {
      /* blocked */
    }
  }
}
