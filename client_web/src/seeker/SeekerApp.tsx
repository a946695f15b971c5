import { useEffect, useMemo, useState } from "preact/hooks";
import { ConnectionBanner } from "../shared/components/ConnectionBanner";
import { LiveAnnouncer } from "../shared/components/LiveAnnouncer";
import { useStore } from "../shared/store";
import { ChatScreen } from "./ChatScreen";
import { SeekerController } from "./controller";
import { CrisisContacts } from "./CrisisContacts";
import { CrisisPanel } from "./CrisisPanel";
import { Header } from "./Header";
import { applySeekerLang, t } from "./i18n";
import { IntroScreen } from "./IntroScreen";
import { CLOSE_MESSAGE, isEmbedded, listenForDoubleEscape, listenForHostExit, quickExit } from "./quickExit";
import { WaitingScreen } from "./WaitingScreen";
import { inGroup } from "../groups/seeker";
import { SeekerGroups } from "../groups/SeekerGroups";

export function SeekerApp() {
  const controller = useMemo(() => new SeekerController(), []);
  const state = useStore(controller.store);
  const [contactsOpen, setContactsOpen] = useState(false);
  const [groupsOpen, setGroupsOpen] = useState(inGroup);
  const embedded = useMemo(isEmbedded, []);
  const params = useMemo(() => new URLSearchParams(window.location.search), []);

  const exit = () => quickExit(() => controller.abandon());
  useEffect(() => listenForDoubleEscape(exit), []);
  useEffect(() => listenForHostExit(() => controller.abandon()), []);

  const showContacts = () => {
    setContactsOpen(true);
    window.setTimeout(() => document.getElementById("contacts-title")?.focus(), 0);
  };

  applySeekerLang(state.lang); // before any child renders: every word follows the seeker's language
  const { phase } = state;
  return (
    <div class={embedded ? "seeker seeker--embedded" : "seeker"}>
      <Header
        embedded={embedded}
        contactsOpen={contactsOpen}
        onToggleContacts={() => (contactsOpen ? setContactsOpen(false) : showContacts())}
        onQuickExit={exit}
        onMinimize={() => window.parent.postMessage({ type: CLOSE_MESSAGE }, "*")}
      />
      <ConnectionBanner
        connection={state.connection}
        offlineText={t().offline}
      />
      <main id="main" class="seeker-main">
        <CrisisContacts open={contactsOpen} onClose={() => setContactsOpen(false)} />
        {state.crisis ? <CrisisPanel resources={state.crisis} /> : null}
        {state.notice ? (
          <div class="notice card" role="alert">
            <p>{state.notice}</p>
            <button type="button" class="button button--secondary" onClick={() => controller.dismissNotice()}>
              {t().dismiss}
            </button>
          </div>
        ) : null}
        {phase === "intro" && groupsOpen ? <SeekerGroups onBack={() => setGroupsOpen(false)} /> : null}
        {(phase === "intro" && !groupsOpen) || phase === "starting" ? (
          <IntroScreen
            initialTopic={params.get("topic")}
            initialLanguage={params.get("language")}
            busy={phase === "starting"}
            onStart={(topic, language, text) => void controller.start(topic, language, text)}
            onLanguage={(language) => controller.setLanguage(language)}
          />
        ) : null}
        {phase === "intro" && !groupsOpen ? (
          <div class="card groups-entry">
            <p>Prefer a small group led by a trained peer?</p>
            <button type="button" class="button button--secondary" onClick={() => setGroupsOpen(true)}>
              See support groups
            </button>
          </div>
        ) : null}
        {phase === "waiting" ? (
          <WaitingScreen
            position={state.position}
            estimatedWaitS={state.estimatedWaitS}
            languageAvailable={state.languageAvailable}
            language={state.language}
            onShowContacts={showContacts}
            onCancel={() => void controller.endChat()}
          />
        ) : null}
        {phase === "chatting" || phase === "ended" || (phase === "waiting" && state.messages.length > 0) ? (
          <ChatScreen
            ended={phase === "ended"}
            endedBy={state.endedBy}
            listenerName={state.listenerName}
            listenerTyping={state.listenerTyping}
            messages={state.messages}
            offline={state.connection === "offline"}
            onSend={(text) => controller.send(text)}
            onTyping={(typing) => controller.typing(typing)}
            onRetry={(m) => controller.retry(m)}
            onEnd={() => void controller.endChat()}
            onNewChat={() => controller.newChat()}
          />
        ) : null}
      </main>
      <LiveAnnouncer announcements={state.announcements} />
    </div>
  );
}
