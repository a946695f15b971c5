import { useEffect, useState } from "preact/hooks";
import { ApiError, fetchLanguages, fetchTopics } from "../shared/api";
import { MAX_TEXT } from "../shared/components/Composer";
import type { Language, Topic } from "../shared/protocol";
import { t } from "./i18n";

interface Props {
  initialTopic: string | null;
  initialLanguage: string | null;
  busy: boolean;
  onStart: (topic: string, language: string, text: string) => void;
  /** The chosen language: the whole seeker interface follows it at once. */
  onLanguage: (language: string) => void;
}

/** Before the chat: topic, language, what peer support is, and an optional first message. */
export function IntroScreen({ initialTopic, initialLanguage, busy, onStart, onLanguage }: Props) {
  const [topics, setTopics] = useState<Topic[] | null>(null);
  const [languages, setLanguages] = useState<Language[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [topic, setTopic] = useState(initialTopic ?? "");
  const [language, setLanguage] = useState(initialLanguage ?? "");
  const [text, setText] = useState("");
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (language) onLanguage(language);
  }, [language]);

  useEffect(() => {
    let cancelled = false;
    setLoadError(null);
    Promise.all([fetchTopics(), fetchLanguages()])
      .then(([t, l]) => {
        if (cancelled) return;
        setTopics(t);
        setLanguages(l);
        setTopic((current) => (t.some((x) => x.id === current) ? current : (t[0]?.id ?? "")));
        const browser = navigator.language.slice(0, 2);
        setLanguage((current) =>
          l.some((x) => x.id === current) ? current : (l.find((x) => x.id === browser)?.id ?? l[0]?.id ?? "en"),
        );
      })
      .catch((error: unknown) => {
        if (!cancelled) setLoadError(error instanceof ApiError ? error.message : t().loadError);
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const submit = (event: Event) => {
    event.preventDefault();
    if (!busy && topic && language && text.length <= MAX_TEXT) onStart(topic, language, text);
  };

  return (
    <div class="intro">
      <h1>{t().introTitle}</h1>
      <section class="card about" aria-labelledby="about-title">
        <h2 id="about-title">{t().aboutTitle}</h2>
        <ul>
          <li>
            <strong>{t().aboutIs[0]}</strong>
            {t().aboutIs[1]}
          </li>
          <li>
            <strong>{t().aboutIsnt[0]}</strong>
            {t().aboutIsnt[1]}
          </li>
          <li>{t().aboutAnonymous}</li>
        </ul>
      </section>
      {loadError ? (
        <div class="card error-box" role="alert">
          <p>{loadError}</p>
          <button type="button" class="button button--secondary" onClick={() => setAttempt((a) => a + 1)}>
            {t().tryAgain}
          </button>
        </div>
      ) : null}
      <form class="card start-form" onSubmit={submit} aria-labelledby="start-title">
        <h2 id="start-title">{t().startTitle}</h2>
        <div class="field">
          <label for="topic">{t().topicLabel}</label>
          <select
            id="topic"
            value={topic}
            disabled={!topics}
            onChange={(e) => setTopic((e.currentTarget as HTMLSelectElement).value)}
          >
            {(topics ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="language">{t().languageLabel}</label>
          <select
            id="language"
            value={language}
            disabled={!languages}
            onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value)}
          >
            {(languages ?? []).map((l) => (
              <option key={l.id} value={l.id} lang={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="first-message">{t().firstMessageLabel}</label>
          <textarea
            id="first-message"
            rows={3}
            value={text}
            maxLength={MAX_TEXT}
            onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
          />
        </div>
        <button type="submit" class="button button--primary button--wide" disabled={busy || !topics || !topic}>
          {busy ? t().starting : t().startChat}
        </button>
      </form>
    </div>
  );
}
