'use strict';
// Invented message texts, ~100 bytes, unique per message: two sentences from a set (in an order
// shuffled once per run) and the message's sequence number. Unique texts matter: a benchmark that
// repeats a handful of strings measures the detector's cache, not the detector. Ordinary sentences
// must not trip the crisis detector; crisis ones are written to trip it (they are test sentences,
// never shown to anyone). bench/detector_bench.py checks both sets against the real detector (a few
// everyday sentences that the trained model scored above its alert threshold were taken out).

const ORDINARY = [
  'thanks for being here tonight, the bus was late again and work was long',
  'my sister called today and we talked about the garden for a while',
  'i made tea and sat by the window, the rain was loud but it felt calm',
  'my exam is tomorrow and im so stressed about the last chapter',
  'i had a fight with my mom about curfew and we both said too much',
  'i feel kind of lonely since i moved here, i dont know anyone yet',
  'work has been really overwhelming lately, my boss keeps adding deadlines',
  'i dont know, i just feel off today and cant say why',
  'can i talk to the same listener as last time next week',
  'my dog died last month and the house feels empty without her',
  'my phone is about to run out of battery so i might go quiet',
  'thank you, that actually helps a lot to hear from someone',
  'i guess i just needed to vent about the week to someone kind',
  'my parents are getting divorced and i feel like its partly my fault',
  'sorry im bad at starting conversations, i never know what to say',
  'what hours are you open on weekends, i work most evenings',
  'i cried in the car before work today and then felt a bit better',
  'my therapist says im making progress but some days it is hard',
  'im so annoyed at my brother, he took my charger again',
  'i went for a walk by the river after dinner and it helped',
  'tengo un poco de ansiedad por la entrevista de mañana',
  'gracias por escucharme, de verdad me ayuda hablar',
];

const CRISIS = [
  'i am going to kill myself tonight, the pills are ready and i have written the letters already',
  'i want to end my life tonight, i have the pills here with me and nobody would even notice it',
  'i am going to take all the pills tonight and not wake up, i have already decided this for real',
];

// mulberry32: a small seeded generator, so a run's texts can be reproduced from its seed
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, random) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

class Texts {
  constructor(seed = 1) {
    const random = rng(seed);
    this.ordinarySet = shuffled(ORDINARY, random);
    this.crisisSet = shuffled(CRISIS, random);
  }

  static fit(body, k, bytes) {
    const suffix = ` #${k}`;
    const room = Math.max(0, bytes - suffix.length);
    const head = body.length >= room ? body.slice(0, room) : body + ' '.repeat(room - body.length);
    return head + suffix;
  }

  /** Message k: sentences k and k+j of the shuffled set (j varies with k), then its number. */
  ordinary(k, bytes) {
    const n = this.ordinarySet.length;
    const a = this.ordinarySet[k % n];
    const b = this.ordinarySet[(k + 1 + (Math.floor(k / n) % (n - 1))) % n];
    return Texts.fit(`${a}. ${b}`, k, bytes);
  }

  crisis(k, bytes) {
    return Texts.fit(this.crisisSet[k % this.crisisSet.length], k, bytes);
  }
}

module.exports = { Texts, ORDINARY, CRISIS };

if (require.main === module) {
  // `node text.js N`: print N ordinary and the crisis texts as JSON (bench/detector_bench.py checks them)
  const t = new Texts(Number(process.argv[3] || 1));
  const n = Number(process.argv[2] || 200);
  const out = { ordinary: [], crisis: [] };
  for (let k = 0; k < n; k++) out.ordinary.push(t.ordinary(k, 100));
  for (let k = 0; k < CRISIS.length; k++) out.crisis.push(t.crisis(k, 100));
  process.stdout.write(JSON.stringify(out) + '\n');
}
