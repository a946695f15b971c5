import { useState } from "preact/hooks";

interface Props {
  title: string;
  intro: string;
  onLogin: (username: string, password: string) => Promise<string | null>;
  notice?: string | null;
}

/** Staff sign-in. Shows the reason on failure. */
export function LoginForm({ title, intro, onLogin, notice }: Props) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const problem = await onLogin(username.trim(), password);
    setBusy(false);
    if (problem) setError(problem);
    else setPassword("");
  };

  return (
    <main class="login" id="main">
      <form class="card login__form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{title}</h1>
        <p>{intro}</p>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <div class="field">
          <label for="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="button button--primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
