import type { Language, Topic } from "./protocol";

/** An HTTP failure with the server's protocol error code, or `network` when nothing came back. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiError("network", "Could not reach the service. Check your connection and try again.", 0);
  }
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      error?.code ?? "unavailable",
      error?.message ?? `The service answered ${response.status}.`,
      response.status,
    );
  }
  return data as T;
}

export function createSeeker(language: string): Promise<{ token: string; seeker_id: string }> {
  return request("POST", "/api/seekers", { language });
}

export function login(
  username: string,
  password: string,
): Promise<{ token: string; role: string; user_id: string }> {
  return request("POST", "/api/login", { username, password });
}

export async function fetchTopics(): Promise<Topic[]> {
  const data = await request<{ topics: Topic[] }>("GET", "/api/topics");
  return data.topics;
}

const FALLBACK_LANGUAGES: Language[] = [{ id: "en", label: "English" }];

/** `/api/languages` is an addition to the contract; fall back to English where it is missing. */
export async function fetchLanguages(): Promise<Language[]> {
  try {
    const data = await request<{ languages: Language[] }>("GET", "/api/languages");
    return data.languages.length > 0 ? data.languages : FALLBACK_LANGUAGES;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return FALLBACK_LANGUAGES;
    throw error;
  }
}
