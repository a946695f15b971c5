/** The seeker interface in the seeker's language (English and Spanish). A person in distress should not
 * have to read a second language: every word the seeker app shows comes from here, and the page's
 * `lang` attribute follows, so screen readers pronounce it right. */

export type SeekerLang = "en" | "es";

export interface SeekerStrings {
  crisisContacts: string;
  quickExit: string;
  quickExitTitle: string;
  minimize: string;
  offline: string;
  dismiss: string;
  // intro
  introTitle: string;
  aboutTitle: string;
  aboutIs: [string, string];
  aboutIsnt: [string, string];
  aboutAnonymous: string;
  loadError: string;
  tryAgain: string;
  startTitle: string;
  topicLabel: string;
  languageLabel: string;
  firstMessageLabel: string;
  starting: string;
  startChat: string;
  // waiting
  waitingTitle: string;
  numberInLine: (n: number) => [string, string, string];
  inLine: string;
  estimate: (seconds: number | null) => string;
  noLanguageListener: (language: string) => string;
  languageName: (code: string) => string;
  keepOpen: string;
  urgentTitle: string;
  urgentText: string;
  showContacts: string;
  leaveQueue: string;
  leaveQueueQuestion: string;
  leaveQueueConfirm: string;
  yesLeave: string;
  keepPlace: string;
  // chat
  chatEnded: string;
  chattingWith: (name: string) => string;
  yourChat: string;
  endChat: string;
  endChatQuestion: string;
  yesEnd: string;
  keepChatting: string;
  conversation: string;
  sayHello: string;
  endedBy: Record<string, string>;
  thanks: string;
  newChat: string;
  yourMessage: string;
  send: string;
  keysHint: string;
  tooLong: (length: number, max: number) => string;
  offlineSend: string;
  offlineKept: string;
  isTyping: (who: string) => string;
  joined: (name: string | null) => string;
  says: (who: string, text: string) => string;
  theListener: string;
  you: string;
  listenerLabel: (name: string | null) => string;
  supervisorLabel: (name: string | null) => string;
  peerline: string;
  sending: string;
  queued: string;
  notSent: (problem: string | undefined) => string;
  // crisis
  contactsTitle: string;
  contactsIntro: string;
  closeContacts: string;
  crisisTitle: string;
  crisisIntro: string;
  crisisDanger: string;
  hideCrisis: string;
  helpAvailable: string;
  showCrisis: string;
  // notices from the controller
  couldNotStart: string;
  couldNotConnect: string;
  alreadyOpen: string;
  tooMany: string;
  couldNotStartBecause: (why: string) => string;
  offlineEnd: string;
  couldNotEnd: (why: string) => string;
  notFound: string;
  historyLater: string;
  expired: string;
}

const en: SeekerStrings = {
  crisisContacts: "Crisis contacts",
  quickExit: "Quick exit",
  quickExitTitle: "Leave this page at once (or press Escape twice)",
  minimize: "Minimize chat",
  offline: "You're offline. We'll reconnect automatically — nothing you write is lost.",
  dismiss: "Dismiss",
  introTitle: "Talk with someone who's been there",
  aboutTitle: "What peer support is — and isn't",
  aboutIs: [
    "It is",
    " a confidential, anonymous chat with a trained volunteer who shares some of your experience and will listen without judging.",
  ],
  aboutIsnt: [
    "It isn't",
    " therapy, medical advice or an emergency service. If you are in danger right now, use the crisis contacts at the top of this page.",
  ],
  aboutAnonymous: "You don't need to give your name. You can leave at any moment with Quick exit.",
  loadError: "Could not load the chat options.",
  tryAgain: "Try again",
  startTitle: "Start a chat",
  topicLabel: "What would you like to talk about?",
  languageLabel: "Language",
  firstMessageLabel: "What's on your mind? (optional)",
  starting: "Starting…",
  startChat: "Start chat",
  waitingTitle: "Finding a listener for you",
  numberInLine: (n) => ["You are number ", String(n), " in line."],
  inLine: "You're in line.",
  estimate: (seconds) => {
    if (seconds === null || !Number.isFinite(seconds)) return "We can't estimate the wait right now.";
    if (seconds < 60) return "Estimated wait: less than a minute.";
    const minutes = Math.round(seconds / 60);
    return `Estimated wait: about ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  },
  noLanguageListener: (language) =>
    `No listener who speaks ${language} is available right now. You can keep waiting — we'll connect you as soon as one is — and if you need help now, the crisis contacts below are open any time.`,
  languageName: (code) => ({ en: "English", es: "Spanish" })[code] ?? code,
  keepOpen: "You can keep this page open in the background; the chat starts here as soon as a listener joins.",
  urgentTitle: "If it's urgent",
  urgentText:
    "Don't wait for a chat if you are in danger or might act on thoughts of harming yourself. Call your local emergency number or a crisis line now.",
  showContacts: "Show crisis contacts",
  leaveQueue: "Leave the queue",
  leaveQueueQuestion: "Leave the queue?",
  leaveQueueConfirm: "Leave the queue? You would lose your place.",
  yesLeave: "Yes, leave",
  keepPlace: "Keep my place",
  chatEnded: "Chat ended",
  chattingWith: (name) => `Chatting with ${name}`,
  yourChat: "Your chat",
  endChat: "End chat",
  endChatQuestion: "End the chat?",
  yesEnd: "Yes, end",
  keepChatting: "Keep chatting",
  conversation: "Conversation",
  sayHello: "Say hello whenever you're ready.",
  endedBy: {
    seeker: "You ended the chat.",
    listener: "The listener ended the chat.",
    supervisor: "The chat was ended by a supervisor.",
    system: "The chat has ended.",
  },
  thanks: "Thank you for reaching out.",
  newChat: "Start a new chat",
  yourMessage: "Your message",
  send: "Send",
  keysHint: "Enter to send, Shift+Enter for a new line.",
  tooLong: (length, max) => `Too long: ${length} of ${max} characters.`,
  offlineSend: "Offline: your message will be sent when you reconnect.",
  offlineKept: "Offline: messages you send now are kept and sent when you reconnect.",
  isTyping: (who) => `${who} is typing…`,
  joined: (name) => `${name ?? "A listener"} joined the chat.`,
  says: (who, text) => `${who} says: ${text}`,
  theListener: "The listener",
  you: "You",
  listenerLabel: (name) => (name ? `${name} (listener)` : "Listener"),
  supervisorLabel: (name) => (name ? `${name} (supervisor)` : "Supervisor"),
  peerline: "Peerline",
  sending: "Sending…",
  queued: "Not sent yet — will retry automatically",
  notSent: (problem) => `Not sent${problem ? `: ${problem}` : ""}`,
  contactsTitle: "If you need help right now",
  contactsIntro: "If you are in danger or might act on thoughts of harming yourself, contact one of these now:",
  closeContacts: "Close contacts",
  crisisTitle: "You don't have to face this alone — help is available now",
  crisisIntro:
    "It sounds like you may be going through something very hard. A peer is here with you, and these services can help right now, any time:",
  crisisDanger: "If you are in immediate danger, call your local emergency number.",
  hideCrisis: "Hide this and keep chatting",
  helpAvailable: "Help is available right now.",
  showCrisis: "Show crisis resources",
  couldNotStart: "Could not start a chat. Please try again.",
  couldNotConnect: "Could not connect to the chat service. Check your connection and try again.",
  alreadyOpen: "You already have a chat open. Please wait a moment and reload the page.",
  tooMany: "Too many requests right now. Please try again in a minute.",
  couldNotStartBecause: (why) => `Could not start the chat (${why}). Please try again.`,
  offlineEnd: "You're offline, so the chat could not be ended yet. Try again when you're back online.",
  couldNotEnd: (why) => `The chat could not be ended (${why}). Please try again.`,
  notFound: "Your earlier chat could not be found. You can start a new one.",
  historyLater: "Could not load the chat history yet. Retrying when the connection is back.",
  expired: "Your chat session has expired. You can start a new chat.",
};

const es: SeekerStrings = {
  crisisContacts: "Contactos de crisis",
  quickExit: "Salida rápida",
  quickExitTitle: "Salir de esta página al instante (o pulsa Escape dos veces)",
  minimize: "Minimizar el chat",
  offline: "No tienes conexión. Volveremos a conectar solos; no se pierde nada de lo que escribas.",
  dismiss: "Cerrar",
  introTitle: "Habla con alguien que ha pasado por algo parecido",
  aboutTitle: "Qué es el apoyo entre pares, y qué no es",
  aboutIs: [
    "Es",
    " un chat confidencial y anónimo con una persona voluntaria formada, que comparte parte de tu experiencia y te escuchará sin juzgar.",
  ],
  aboutIsnt: [
    "No es",
    " terapia, consejo médico ni un servicio de emergencias. Si estás en peligro ahora, usa los contactos de crisis de la parte superior de esta página.",
  ],
  aboutAnonymous: "No hace falta que digas tu nombre. Puedes irte en cualquier momento con Salida rápida.",
  loadError: "No se pudieron cargar las opciones del chat.",
  tryAgain: "Intentar de nuevo",
  startTitle: "Empezar un chat",
  topicLabel: "¿De qué te gustaría hablar?",
  languageLabel: "Idioma",
  firstMessageLabel: "¿Qué te preocupa? (opcional)",
  starting: "Empezando…",
  startChat: "Empezar el chat",
  waitingTitle: "Buscando a alguien que te escuche",
  numberInLine: (n) => ["Eres el número ", String(n), " en la fila."],
  inLine: "Estás en la fila.",
  estimate: (seconds) => {
    if (seconds === null || !Number.isFinite(seconds)) return "Ahora mismo no podemos estimar la espera.";
    if (seconds < 60) return "Espera estimada: menos de un minuto.";
    const minutes = Math.round(seconds / 60);
    return `Espera estimada: unos ${minutes} minuto${minutes === 1 ? "" : "s"}.`;
  },
  noLanguageListener: (language) =>
    `Ahora mismo no hay nadie disponible que hable ${language}. Puedes seguir esperando (te conectaremos en cuanto haya alguien) y, si necesitas ayuda ya, los contactos de crisis de abajo atienden a cualquier hora.`,
  languageName: (code) => ({ en: "inglés", es: "español" })[code] ?? code,
  keepOpen: "Puedes dejar esta página abierta en segundo plano; el chat empezará aquí en cuanto alguien se una.",
  urgentTitle: "Si es urgente",
  urgentText:
    "No esperes al chat si estás en peligro o podrías hacerte daño. Llama ahora a tu número local de emergencias o a una línea de crisis.",
  showContacts: "Ver contactos de crisis",
  leaveQueue: "Salir de la fila",
  leaveQueueQuestion: "¿Salir de la fila?",
  leaveQueueConfirm: "¿Salir de la fila? Perderías tu turno.",
  yesLeave: "Sí, salir",
  keepPlace: "Mantener mi turno",
  chatEnded: "Chat terminado",
  chattingWith: (name) => `Hablando con ${name}`,
  yourChat: "Tu chat",
  endChat: "Terminar el chat",
  endChatQuestion: "¿Terminar el chat?",
  yesEnd: "Sí, terminar",
  keepChatting: "Seguir hablando",
  conversation: "Conversación",
  sayHello: "Saluda cuando quieras.",
  endedBy: {
    seeker: "Terminaste el chat.",
    listener: "La persona que te escuchaba terminó el chat.",
    supervisor: "Una persona supervisora terminó el chat.",
    system: "El chat ha terminado.",
  },
  thanks: "Gracias por escribirnos.",
  newChat: "Empezar un chat nuevo",
  yourMessage: "Tu mensaje",
  send: "Enviar",
  keysHint: "Intro para enviar, Mayús+Intro para una línea nueva.",
  tooLong: (length, max) => `Demasiado largo: ${length} de ${max} caracteres.`,
  offlineSend: "Sin conexión: tu mensaje se enviará al volver a conectar.",
  offlineKept: "Sin conexión: lo que envíes ahora se guarda y se envía al volver a conectar.",
  isTyping: (who) => `${who} está escribiendo…`,
  joined: (name) => `${name ?? "Alguien"} se ha unido al chat.`,
  says: (who, text) => `${who} dice: ${text}`,
  theListener: "La persona que te escucha",
  you: "Tú",
  listenerLabel: (name) => name ?? "Quien te escucha",
  supervisorLabel: (name) => (name ? `${name} (supervisión)` : "Supervisión"),
  peerline: "Peerline",
  sending: "Enviando…",
  queued: "Aún no enviado; se reintentará solo",
  notSent: (problem) => `No enviado${problem ? `: ${problem}` : ""}`,
  contactsTitle: "Si necesitas ayuda ahora",
  contactsIntro: "Si estás en peligro o podrías hacerte daño, contacta ahora con uno de estos servicios:",
  closeContacts: "Cerrar contactos",
  crisisTitle: "No tienes que pasar por esto a solas: hay ayuda ahora mismo",
  crisisIntro:
    "Parece que estás pasando por algo muy difícil. Hay una persona contigo, y estos servicios pueden ayudarte ahora, a cualquier hora:",
  crisisDanger: "Si estás en peligro inmediato, llama a tu número local de emergencias.",
  hideCrisis: "Ocultar y seguir hablando",
  helpAvailable: "Hay ayuda disponible ahora mismo.",
  showCrisis: "Ver recursos de crisis",
  couldNotStart: "No se pudo empezar el chat. Inténtalo de nuevo.",
  couldNotConnect: "No se pudo conectar con el servicio. Revisa tu conexión e inténtalo de nuevo.",
  alreadyOpen: "Ya tienes un chat abierto. Espera un momento y recarga la página.",
  tooMany: "Demasiadas solicitudes ahora. Inténtalo de nuevo en un minuto.",
  couldNotStartBecause: (why) => `No se pudo empezar el chat (${why}). Inténtalo de nuevo.`,
  offlineEnd: "No tienes conexión, así que el chat aún no se pudo terminar. Inténtalo al volver a conectar.",
  couldNotEnd: (why) => `No se pudo terminar el chat (${why}). Inténtalo de nuevo.`,
  notFound: "No encontramos tu chat anterior. Puedes empezar uno nuevo.",
  historyLater: "Aún no se pudo cargar el historial. Lo intentaremos al volver la conexión.",
  expired: "Tu sesión de chat ha caducado. Puedes empezar un chat nuevo.",
};

const STRINGS: Record<SeekerLang, SeekerStrings> = { en, es };
let current: SeekerLang = "en";

export function toSeekerLang(language: string | null | undefined): SeekerLang | null {
  const code = (language ?? "").slice(0, 2).toLowerCase();
  return code === "es" || code === "en" ? code : null;
}

/** Set by the app before each render; the page's `lang` follows. */
export function applySeekerLang(lang: SeekerLang): void {
  current = lang;
  if (document.documentElement.lang !== lang) document.documentElement.lang = lang;
}

/** The strings for the seeker's language now. */
export function t(): SeekerStrings {
  return STRINGS[current];
}

export function currentSeekerLang(): SeekerLang {
  return current;
}
