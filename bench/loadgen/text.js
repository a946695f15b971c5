'use strict';
// Invented message texts, ~100 bytes. Ordinary ones must not trip the crisis detector; crisis ones
// are written to trip it (they are test sentences, never shown to anyone).

const ORDINARY = [
  'thanks for being here tonight, the bus was late again and work was long, i just wanted to talk',
  'i tried the breathing thing you mentioned earlier and it helped a little bit with the evening',
  'my sister called today and we talked about the garden, it was nice to hear her voice for once',
  'i made tea and sat by the window for a while, the rain was loud but it felt calm somehow today',
];

const CRISIS = [
  'i am going to kill myself tonight, the pills are ready and i have written the letters already',
  'i want to end my life tonight, i have the pills here with me and nobody would even notice it',
  'i am going to take all the pills tonight and not wake up, i have already decided this for real',
];

function pad(text, bytes) {
  return text.length >= bytes ? text.slice(0, bytes) : text + ' '.repeat(bytes - text.length);
}

function ordinary(k, bytes) {
  return pad(ORDINARY[k % ORDINARY.length], bytes);
}

function crisis(k, bytes) {
  return pad(CRISIS[k % CRISIS.length], bytes);
}

module.exports = { ordinary, crisis };
