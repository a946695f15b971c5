/** Alert sounds generated with WebAudio: nothing fetched, nothing bundled. Browsers only allow audio
 * after a user gesture, so the context is created (or resumed) on the first click or key press. */

let context: AudioContext | null = null;

function unlock(): void {
  try {
    if (!context) context = new AudioContext();
    if (context.state === "suspended") void context.resume();
  } catch {
    context = null;
  }
}

export function enableSoundOnFirstGesture(): void {
  window.addEventListener("pointerdown", unlock, { capture: true });
  window.addEventListener("keydown", unlock, { capture: true });
}

export type Chime = "message" | "assignment" | "alert";

const PATTERNS: Record<Chime, { freq: number; at: number; dur: number }[]> = {
  message: [{ freq: 880, at: 0, dur: 0.12 }],
  assignment: [
    { freq: 660, at: 0, dur: 0.14 },
    { freq: 990, at: 0.18, dur: 0.18 },
  ],
  alert: [
    { freq: 740, at: 0, dur: 0.18 },
    { freq: 554, at: 0.24, dur: 0.18 },
    { freq: 740, at: 0.48, dur: 0.18 },
    { freq: 554, at: 0.72, dur: 0.24 },
  ],
};

export function playChime(kind: Chime): void {
  if (!context || context.state !== "running") return;
  const start = context.currentTime + 0.01;
  for (const note of PATTERNS[kind]) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = "sine";
    osc.frequency.value = note.freq;
    gain.gain.setValueAtTime(0.0001, start + note.at);
    gain.gain.exponentialRampToValueAtTime(0.25, start + note.at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + note.at + note.dur);
    osc.connect(gain).connect(context.destination);
    osc.start(start + note.at);
    osc.stop(start + note.at + note.dur + 0.02);
  }
}
