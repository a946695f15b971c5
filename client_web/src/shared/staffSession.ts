import { ApiError, login } from "./api";
import { loadJson, removeKey, saveJson } from "./storage";

export interface StaffAuth {
  token: string;
  role: string;
  userId: string;
  username: string;
}

/** Signs a staff member in; returns the session, or a message to show. */
export async function signIn(
  storageKey: string,
  username: string,
  password: string,
  allowedRoles: readonly string[],
): Promise<StaffAuth | string> {
  if (!username || !password) return "Enter your username and password.";
  try {
    const answer = await login(username, password);
    if (!allowedRoles.includes(answer.role)) {
      return `This account (${answer.role}) can't open this page.`;
    }
    const auth = { token: answer.token, role: answer.role, userId: answer.user_id, username };
    saveJson(storageKey, auth);
    return auth;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return "Wrong username or password.";
    if (error instanceof ApiError && error.code === "rate_limited") return "Too many attempts. Wait a moment and try again.";
    return error instanceof ApiError ? error.message : "Sign-in failed. Try again.";
  }
}

export function storedAuth(storageKey: string): StaffAuth | null {
  const auth = loadJson<StaffAuth>(storageKey);
  return auth && typeof auth.token === "string" ? auth : null;
}

export function forgetAuth(storageKey: string): void {
  removeKey(storageKey);
}
