'use strict';
// Peerline load generator: `node loadgen.js CONFIG.json` prints one JSON result on stdout.
//
// Modes:
//   bare    — pairs of sockets on the bare python-socketio relay (bench/baseline.py)
//   service — S seekers, L listeners and a supervisor speaking PROTOCOL.md
//   idle    — N sockets that connect (offering compression, like browsers) and stay idle
//   groups  — support group rooms: M members per session on /groups, each session's messages open-loop
// Relay load is open-loop: every message has a scheduled send time and latencies are measured
// from it, so a slow server cannot hide its backlog (no coordinated omission).
// Loopback only: every URL must be 127.0.0.1.

const fs = require('fs');
const { SioSocket } = require('./sio');
const { summary, pool, sleep } = require('./stats');
const { Texts } = require('./text');

const now = () => performance.now();
const log = (...a) => process.stderr.write(a.join(' ') + '\n');

function checkLoopback(url) {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1') throw new Error('loopback only: ' + url);
  return url;
}

async function postJson(base, path, body) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body || {}),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${data && data.error && data.error.code}`);
  return data;
}

// -- CPU of the measured server (and its children: the detector worker), from /proc ------------------

const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuOf(pid) {
  // utime + stime (fields 14 and 15 of /proc/PID/stat; the name in parentheses may hold spaces)
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

function childrenOf(pid) {
  const out = [];
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) out.push(...text.split(' ').map(Number));
  }
  return out;
}

/** {server, children} CPU ms of the given server pids, or null when none is set or readable. */
function cpuSample(pids) {
  if (!pids || !pids.length) return null;
  try {
    let server = 0;
    let children = 0;
    for (const pid of pids) {
      server += cpuOf(pid);
      const stack = childrenOf(pid);
      while (stack.length) {
        const c = stack.pop();
        try {
          children += cpuOf(c);
          stack.push(...childrenOf(c));
        } catch (e) { /* a child that just exited */ }
      }
    }
    return { server, children };
  } catch (e) {
    return null;
  }
}

// -- event-loop pauses of the measured service, from its /metrics (peerline_event_loop_lag_seconds) ----

const PAUSE_S = 0.05;

/** {count, under: {le: n}} of the service's loop-lag histogram, or null (bare relay, older trees, no token). */
async function loopLag(cfg) {
  if (!cfg.metricsUrl) return null;
  try {
    const res = await fetch(cfg.metricsUrl, { headers: { Authorization: `Bearer ${cfg.metricsToken}` } });
    if (!res.ok) return null;
    const text = await res.text();
    const under = {};
    let count = null;
    for (const line of text.split('\n')) {
      const bucket = line.match(/^peerline_event_loop_lag_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)$/);
      if (bucket) under[bucket[1]] = Number(bucket[2]);
      const total = line.match(/^peerline_event_loop_lag_seconds_count ([0-9.e+]+)$/);
      if (total) count = Number(total[1]);
    }
    return count === null ? null : { count, under };
  } catch (e) {
    return null;
  }
}

/** Between two samples: timer wake-ups later than 50 ms, and the smallest bucket bound that held them all. */
function pausesBetween(a, b) {
  if (!a || !b) return null;
  const n = b.count - a.count;
  const over = n - ((b.under[String(PAUSE_S)] ?? 0) - (a.under[String(PAUSE_S)] ?? 0));
  const bounds = Object.keys(b.under).filter((le) => le !== '+Inf').map(Number).sort((x, y) => x - y);
  const longest = bounds.find((le) => (b.under[String(le)] ?? 0) - (a.under[String(le)] ?? 0) >= n);
  return { over_50ms: over, longest_le_s: longest ?? null };
}

// -- the relay sweep, shared by bare and service modes ---------------------------------------------

class Sweep {
  constructor(cfg, pairs) {
    this.cfg = cfg;
    this.pairs = pairs; // [{a: End, b: End}], End = {send(clientId, text) -> Promise<ack>, label}
    this.msgs = [];
    this.k = 0;
    this.steps = [];
    this.dups = 0;
    this.misrouted = 0;
    this.bytes = cfg.payloadBytes || 100;
    this.texts = new Texts(cfg.seed || 1);
  }

  /** Called by every receiving socket for every `message` event. */
  received(receiver, clientId) {
    const k = Number(clientId.slice(1));
    const m = this.msgs[k];
    if (m === undefined) return;
    if (m.to !== receiver) this.misrouted++;
    m.recv++;
    if (m.recv > 1) {
      this.dups++;
      return;
    }
    const t = now();
    m.step.relay.push(t - m.sched);
    m.step.delivered++;
    m.step.lastRecv = t;
  }

  sendOne(step, sched) {
    const k = this.k++;
    const P = this.pairs.length;
    const pair = this.pairs[k % P];
    const fromA = Math.floor(k / P) % 2 === 0;
    const from = fromA ? pair.a : pair.b;
    const to = fromA ? pair.b : pair.a;
    const clientId = 'm' + k;
    let body;
    const crisisOk = !step.warm && from.seeker && pair.conv && pair.conv.state === 'clear';
    if (crisisOk && Math.random() < (this.cfg.crisisFraction || 0)) {
      body = this.texts.crisis(k, this.bytes);
      pair.conv.state = 'pending';
      pair.conv.crisisAt = sched;
      pair.conv.step = step;
      step.crisisSent++;
    } else {
      body = this.texts.ordinary(k, this.bytes);
    }
    const m = { sched, step, to, recv: 0, ok: false };
    this.msgs[k] = m;
    step.sent++;
    step.lag.push(now() - sched);
    from.send(clientId, body).then(
      (ack) => {
        if (ack && ack.ok) {
          m.ok = true;
          step.ack.push(now() - sched);
        } else {
          const code = (ack && ack.error && ack.error.code) || 'bad_ack';
          step.errors[code] = (step.errors[code] || 0) + 1;
          m.failed = true;
        }
      },
      (err) => {
        const code = err.message === 'ack timeout' ? 'ack_timeout' : 'socket_closed';
        step.errors[code] = (step.errors[code] || 0) + 1;
        m.failed = true;
      },
    );
  }

  /** Send open-loop at `rate` for `seconds`; returns the phase (its messages record into it). */
  async sendPhase(rate, seconds, warm = false) {
    const lag0 = await loopLag(this.cfg); // before the clock starts: the open-loop schedule must not owe messages
    const step = {
      rate, warm, sent: 0, delivered: 0, crisisSent: 0, relay: [], ack: [], lag: [], escalation: [], resources: [],
      errors: {}, start: now(), lastRecv: 0, sendEnd: 0, cpu0: cpuSample(this.cfg.cpuPids), cpu1: null,
      lag0, lag1: null,
    };
    this.current = step;
    const n = Math.max(1, Math.round(rate * seconds));
    await new Promise((resolve) => {
      const tick = () => {
        const due = Math.min(n, Math.floor(((now() - step.start) * rate) / 1000) + 1);
        while (step.sent < due) this.sendOne(step, step.start + (step.sent * 1000) / rate);
        if (step.sent >= n) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    step.sendEnd = now();
    step.cpu1 = cpuSample(this.cfg.cpuPids);
    step.lag1 = await loopLag(this.cfg);
    return step;
  }

  /**
   * One step of the sweep: a warm-up at the rate (counted nowhere), then `runsPerStep` measured runs
   * back to back at the same rate, then a drain. The step's figures are the median of its runs, with
   * the smallest and largest beside them.
   */
  async runStep(rate) {
    const cfg = this.cfg;
    if ((cfg.warmupSeconds || 0) > 0) await this.sendPhase(rate, cfg.warmupSeconds, true);
    const runs = [];
    for (let r = 0; r < (cfg.runsPerStep || 3); r++) runs.push(await this.sendPhase(rate, cfg.stepSeconds));
    const deadline = now() + (cfg.drainSeconds || 3) * 1000;
    const settled = (s) => s.delivered + Object.values(s.errors).reduce((x, y) => x + y, 0) >= s.sent;
    while (now() < deadline && !runs.every(settled)) await sleep(20);
    return this.finishStep(rate, runs);
  }

  finishRun(step) {
    const elapsedMs = Math.max(step.sendEnd, step.lastRecv) - step.start;
    const cpu = step.cpu0 && step.cpu1 ? {
      // CPU over the sending window per message sent, and the share of one core it kept busy
      server_ms_per_msg: Math.round(((step.cpu1.server - step.cpu0.server) / step.sent) * 1000) / 1000,
      children_ms_per_msg: Math.round(((step.cpu1.children - step.cpu0.children) / step.sent) * 1000) / 1000,
      server_core_share: Math.round(((step.cpu1.server - step.cpu0.server) / (step.sendEnd - step.start)) * 100) / 100,
    } : null;
    return {
      cpu,
      pauses: pausesBetween(step.lag0, step.lag1),
      sent: step.sent,
      delivered: step.delivered,
      achieved: Math.round((step.delivered * 1000) / elapsedMs),
      relay_ms: summary(step.relay),
      ack_ms: summary(step.ack),
      generator_lag_ms: summary(step.lag),
      crisis_sent: step.crisisSent,
      escalation_ms: summary(step.escalation),
      crisis_resources_ms: summary(step.resources),
      errors: step.errors,
    };
  }

  finishStep(rate, phases) {
    const runs = phases.map((p) => this.finishRun(p));
    const med = (xs) => {
      const s = xs.filter((x) => x !== undefined).sort((a, b) => a - b);
      return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
    };
    const spread = (xs) => {
      const s = xs.filter((x) => x !== undefined);
      return s.length ? [Math.min(...s), Math.max(...s)] : undefined;
    };
    const medSummary = (key) => {
      const out = { n: runs.reduce((a, r) => a + (r[key].n || 0), 0) };
      for (const q of ['p50', 'p90', 'p99', 'p999', 'max']) out[q] = med(runs.map((r) => r[key][q]));
      return out;
    };
    const pooled = (key) => summary(phases.flatMap((p) => p[key]));
    const errors = {};
    for (const r of runs) for (const [c, v] of Object.entries(r.errors)) errors[c] = (errors[c] || 0) + v;
    const out = {
      offered: rate,
      runs,
      sent: runs.reduce((a, r) => a + r.sent, 0),
      delivered: runs.reduce((a, r) => a + r.delivered, 0),
      achieved: med(runs.map((r) => r.achieved)),
      relay_ms: medSummary('relay_ms'),
      ack_ms: medSummary('ack_ms'),
      generator_lag_ms: medSummary('generator_lag_ms'),
      spread: {
        achieved: spread(runs.map((r) => r.achieved)),
        relay_p50: spread(runs.map((r) => r.relay_ms.p50)),
        relay_p99: spread(runs.map((r) => r.relay_ms.p99)),
      },
      // crisis messages are few per run: their latencies are pooled over the step's runs
      crisis_sent: runs.reduce((a, r) => a + r.crisis_sent, 0),
      escalation_ms: pooled('escalation'),
      crisis_resources_ms: pooled('resources'),
      errors,
    };
    if (runs.every((r) => r.cpu)) {
      out.cpu = {
        server_ms_per_msg: med(runs.map((r) => r.cpu.server_ms_per_msg)),
        children_ms_per_msg: med(runs.map((r) => r.cpu.children_ms_per_msg)),
        server_core_share: med(runs.map((r) => r.cpu.server_core_share)),
      };
      out.spread.server_ms_per_msg = spread(runs.map((r) => r.cpu.server_ms_per_msg));
    }
    if (runs.every((r) => r.pauses)) {
      const longest = runs.map((r) => r.pauses.longest_le_s);
      out.pauses = {
        over_50ms: runs.reduce((a, r) => a + r.pauses.over_50ms, 0), // over all measured runs of the step
        longest_le_s: longest.includes(null) ? null : Math.max(...longest),
      };
    }
    this.steps.push(out);
    return out;
  }

  async run() {
    const cfg = this.cfg;
    for (const rate of cfg.rates) {
      const out = await this.runStep(rate);
      log(`step ${rate}/s: achieved ${out.achieved}/s ${JSON.stringify(out.spread.achieved)}`
        + ` relay p50 ${out.relay_ms.p50} p99 ${out.relay_ms.p99} ${JSON.stringify(out.spread.relay_p99)} ms`
        + ` ack p99 ${out.ack_ms.p99} esc n=${out.escalation_ms.n} p99 ${out.escalation_ms.p99}`
        + (out.cpu ? ` cpu ${out.cpu.server_ms_per_msg}+${out.cpu.children_ms_per_msg} ms/msg` : '')
        + (out.pauses ? ` pauses>50ms ${out.pauses.over_50ms} (longest <= ${out.pauses.longest_le_s ?? '>2.5'} s)` : '')
        + ` errors ${JSON.stringify(out.errors)}`);
      const bad = !(out.relay_ms.p99 < (cfg.stopP99Ms || 1000)) || out.achieved < 0.8 * rate;
      if (bad) break;
      if (cfg.pauseMs) await sleep(cfg.pauseMs);
    }
    await sleep(500);
    let lost = 0;
    let failed = 0;
    for (const m of this.msgs) {
      if (m.failed) failed++;
      else if (m.ok && m.recv === 0) lost++;
      else if (!m.ok && m.recv === 0) failed++;
    }
    return { steps: this.steps, sent: this.k, lost, failed, duplicated: this.dups, misrouted: this.misrouted };
  }
}

// -- bare relay --------------------------------------------------------------------------------------

async function bare(cfg) {
  const urls = cfg.urls.map(checkLoopback);
  const pairs = [];
  const sweep = new Sweep(cfg, pairs);
  const socks = [];
  const t0 = now();
  const ends = [];
  for (let p = 0; p < cfg.pairs; p++) {
    for (const side of ['a', 'b']) ends.push({ p, side });
  }
  const made = new Map();
  await pool(ends, cfg.connectConcurrency || 100, async ({ p, side }) => {
    // with two servers, side a lives on the first and side b on the second: every message crosses
    const url = urls[side === 'a' ? 0 : urls.length - 1];
    const sock = new SioSocket(url, '/', { pair: String(p), side }, { deflate: cfg.deflate });
    const end = { label: `${p}${side}` };
    sock.on('message', (d) => sweep.received(end, d.client_id));
    await sock.connect();
    end.send = (clientId, body) => sock.call('message', { pair: String(p), side, client_id: clientId, text: body });
    socks.push(sock);
    made.set(`${p}${side}`, end);
  });
  const connectS = (now() - t0) / 1000;
  for (let p = 0; p < cfg.pairs; p++) pairs.push({ a: made.get(`${p}a`), b: made.get(`${p}b`) });
  const result = await sweep.run();
  for (const s of socks) s.close();
  return { mode: 'bare', connect: { sockets: socks.length, seconds: connectS, per_s: Math.round(socks.length / connectS) }, ...result };
}

// -- the service -------------------------------------------------------------------------------------

async function service(cfg) {
  const seekerUrl = checkLoopback(cfg.seekerUrl);
  const staffUrl = checkLoopback(cfg.staffUrl || cfg.seekerUrl);
  const opts = { deflate: cfg.deflate, timeoutMs: 15000 };
  const socks = [];
  const convs = new Map(); // conversation_id -> {state, seeker, listener, crisisAt, step}
  const pairs = [];
  const sweep = new Sweep(cfg, pairs);
  const unsolicited = { escalations: 0 };

  // staff
  const supTok = (await postJson(staffUrl, '/api/login', cfg.supervisor)).token;
  const sup = new SioSocket(staffUrl, '/supervisor', { token: supTok }, opts);
  sup.on('escalation', (d) => {
    const c = convs.get(d.conversation_id);
    if (c && c.state === 'pending') {
      c.state = 'done';
      c.step.escalation.push(now() - c.crisisAt);
      sup.call('ack', { escalation_id: d.escalation_id }).catch(() => {});
    } else if (!c || c.state === 'clear') {
      unsolicited.escalations++;
    }
  });
  await sup.connect();
  socks.push(sup);
  const listenerEnds = [];
  await pool(cfg.listeners, 20, async (l) => {
    const tok = (await postJson(staffUrl, '/api/login', { username: l.username, password: l.password })).token;
    const sock = new SioSocket(staffUrl, '/listener', { token: tok }, opts);
    const end = { label: l.username, sock };
    sock.on('message', (d) => sweep.received(end, d.client_id));
    sock.on('assigned', (d) => {
      const cid = d.conversation.conversation_id;
      const c = convs.get(cid) || { state: 'clear' };
      c.listener = end;
      convs.set(cid, c);
      if (c.onBoth && c.seeker) c.onBoth();
    });
    await sock.connect();
    socks.push(sock);
    listenerEnds.push(end);
  });
  await pool(listenerEnds, 20, async (end, i) => {
    const ack = await end.sock.call('set_status', { status: 'available', max_chats: cfg.listeners[i].maxChats });
    if (!ack.ok) throw new Error('set_status failed: ' + JSON.stringify(ack.error));
  });

  // seekers: identities, then sockets (the connect rate is measured here)
  const nSeekers = cfg.pairs + (cfg.queued || 0);
  const t0 = now();
  const tokens = new Array(nSeekers);
  await pool([...Array(nSeekers).keys()], 32, async (i) => {
    tokens[i] = (await postJson(seekerUrl, '/api/seekers', {})).token;
  });
  const identityS = (now() - t0) / 1000;
  const t1 = now();
  const seekers = new Array(nSeekers);
  const connectLat = [];
  await pool([...Array(nSeekers).keys()], cfg.connectConcurrency || 100, async (i) => {
    const sock = new SioSocket(seekerUrl, '/seeker', { token: tokens[i] }, opts);
    const end = { label: 's' + i, seeker: true, sock };
    sock.on('message', (d) => sweep.received(end, d.client_id));
    sock.on('crisis_resources', (d) => {
      const c = convs.get(d.conversation_id);
      if (c && c.step && !c.resourcesSeen) {
        c.resourcesSeen = true;
        c.step.resources.push(now() - c.crisisAt);
      }
    });
    const ts = now();
    await sock.connect();
    connectLat.push(now() - ts);
    socks.push(sock);
    seekers[i] = end;
  });
  const connectS = (now() - t1) / 1000;
  log(`connected ${socks.length} sockets; seekers ${nSeekers} in ${connectS.toFixed(2)} s`);

  // pairing: live seekers request at pairRate while listeners are free
  const pairingLat = [];
  const pairingErrors = {};
  const requestChat = async (end, paired) => {
    const ts = now();
    let matchedResolve;
    const matched = new Promise((r) => { matchedResolve = r; });
    end.sock.on('matched', (d) => matchedResolve(d));
    const ack = await end.sock.call('request_chat', { topic: 'talk', language: 'en' });
    if (!ack.ok) {
      const code = ack.error.code;
      pairingErrors[code] = (pairingErrors[code] || 0) + 1;
      return null;
    }
    if (!paired) return ack;
    const d = await Promise.race([matched, sleep(15000).then(() => null)]);
    if (!d) {
      pairingErrors.timeout = (pairingErrors.timeout || 0) + 1;
      return null;
    }
    pairingLat.push(now() - ts);
    const c = convs.get(d.conversation_id) || { state: 'clear' };
    c.seeker = end;
    convs.set(d.conversation_id, c);
    if (!c.listener) await new Promise((r) => { c.onBoth = r; });
    end.conversationId = d.conversation_id;
    return c;
  };
  const live = seekers.slice(0, cfg.pairs);
  const tp = now();
  const interval = 1000 / (cfg.pairRate || 100);
  await Promise.all(live.map(async (end, i) => {
    await sleep(i * interval);
    const c = await requestChat(end, true);
    if (c) pairs.push({ a: c.seeker, b: c.listener, conv: c });
  }));
  const pairingS = (now() - tp) / 1000;
  log(`paired ${pairs.length}/${cfg.pairs} in ${pairingS.toFixed(2)} s; pairing p99 ${summary(pairingLat).p99} ms`);
  for (const pr of pairs) {
    const cid = pr.a.conversationId;
    pr.a.send = (clientId, body) => pr.a.sock.call('message', { conversation_id: cid, client_id: clientId, text: body });
    pr.b.send = (clientId, body) => pr.b.sock.call('message', { conversation_id: cid, client_id: clientId, text: body });
  }

  // queued seekers: every listener is full, so these wait in the queue during the sweep
  const queuedAcks = [];
  const queued = seekers.slice(cfg.pairs);
  if (queued.length) {
    const tq = now();
    await pool(queued, 50, async (end) => {
      const ack = await requestChat(end, false);
      if (ack && ack.position > 0) queuedAcks.push(ack.position);
    });
    log(`queued ${queuedAcks.length}/${queued.length} in ${((now() - tq) / 1000).toFixed(2)} s`);
  }

  const result = await sweep.run();
  let escalationsMissing = 0;
  for (const c of convs.values()) if (c.state === 'pending') escalationsMissing++;
  for (const s of socks) s.close();
  return {
    mode: 'service',
    connect: {
      sockets: nSeekers, seconds: connectS, per_s: Math.round(nSeekers / connectS), latency_ms: summary(connectLat),
      identities_per_s: Math.round(nSeekers / identityS),
    },
    pairing: { paired: pairs.length, wanted: cfg.pairs, seconds: pairingS, latency_ms: summary(pairingLat), errors: pairingErrors },
    queued: { wanted: queued.length, queued: queuedAcks.length },
    ...result,
    escalations_missing: escalationsMissing,
    unsolicited_escalations: unsolicited.escalations,
  };
}

// -- idle sockets -----------------------------------------------------------------------------------

async function idle(cfg) {
  const url = checkLoopback(cfg.seekerUrl);
  const n = cfg.sockets;
  const tokens = new Array(n);
  if (cfg.service) {
    await pool([...Array(n).keys()], 32, async (i) => {
      tokens[i] = (await postJson(url, '/api/seekers', {})).token;
    });
  }
  const socks = [];
  const lat = [];
  let failed = 0;
  const t0 = now();
  await pool([...Array(n).keys()], cfg.connectConcurrency || 200, async (i) => {
    const sock = cfg.service
      ? new SioSocket(url, '/seeker', { token: tokens[i] }, { deflate: cfg.deflate, timeoutMs: 30000 })
      : new SioSocket(url, '/', { pair: 'idle' + i, side: 'a' }, { deflate: cfg.deflate, timeoutMs: 30000 });
    const ts = now();
    try {
      await sock.connect();
      lat.push(now() - ts);
      socks.push(sock);
    } catch (e) {
      failed++;
    }
  });
  const seconds = (now() - t0) / 1000;
  log(`idle: ${socks.length} connected in ${seconds.toFixed(2)} s (${failed} failed); holding`);
  process.stderr.write('HOLDING\n');
  await sleep((cfg.holdSeconds || 5) * 1000);
  const alive = socks.filter((s) => s.connected).length;
  for (const s of socks) s.close();
  return {
    mode: 'idle', sockets: n, connected: socks.length, alive_after_hold: alive, failed, deflate: !!cfg.deflate,
    connect: { seconds, per_s: Math.round(socks.length / seconds), latency_ms: summary(lat) },
  };
}

// -- groups: support group rooms (bench/groups.py) ---------------------------------------------------

async function groups(cfg) {
  const urls = cfg.urls.map(checkLoopback);
  const M = cfg.members;
  const texts = new Texts(cfg.seed || 1);
  const bytes = cfg.payloadBytes || 100;
  const opts = { deflate: cfg.deflate, timeoutMs: 30000 };
  const people = [];
  cfg.sessions.forEach((sessionId, s) => {
    for (let m = 0; m < M; m++) people.push({ s, m, sessionId, url: urls[(s * M + m) % urls.length], seen: new Set() });
  });
  await pool(people, 50, async (p) => {
    p.token = (await postJson(p.url, '/api/seekers', { language: 'en' })).token;
  });
  const msgs = []; // k -> {s, from, sched, acked, measured: run index or -1}
  let dups = 0;
  let measuring = -1;
  const lat = [];
  await pool(people, cfg.connectConcurrency || 50, async (p) => {
    p.sock = new SioSocket(p.url, '/groups', { token: p.token }, opts);
    p.sock.on('message', (m) => {
      const k = Number(String(m.client_id).slice(1));
      const msg = msgs[k];
      if (msg === undefined) return;
      if (p.seen.has(k)) {
        dups++;
        return;
      }
      p.seen.add(k);
      if (msg.run >= 0) lat[msg.run].push(now() - msg.sched);
    });
    await p.sock.connect();
    const ack = await p.sock.call('join', { session_id: p.sessionId, alias: `Member ${p.s} ${p.m}`, accept_guidelines: true });
    if (!ack || !ack.ok) throw new Error('join refused: ' + JSON.stringify(ack && (ack.reason || ack.error)));
  });
  log(`groups: ${people.length} members seated in ${cfg.sessions.length} sessions`);
  const bySession = cfg.sessions.map((_, s) => people.filter((p) => p.s === s));
  const errors = {};
  let failed = 0;
  const phase = async (seconds, run) => {
    const interval = 1000 / cfg.rate; // per session
    const start = now();
    const end = start + seconds * 1000;
    const next = cfg.sessions.map((_, s) => start + (interval * s) / cfg.sessions.length);
    const counters = cfg.sessions.map(() => 0);
    while (now() < end) {
      for (let s = 0; s < next.length; s++) {
        while (next[s] <= now() && next[s] < end) {
          const k = msgs.length;
          const from = bySession[s][counters[s]++ % M];
          const msg = { s, from, sched: next[s], acked: false, run };
          msgs.push(msg);
          from.sock
            .call('message', { session_id: from.sessionId, client_id: 'g' + k, text: texts.ordinary(k, bytes) })
            .then((ack) => {
              if (ack && ack.ok) msg.acked = true;
              else {
                failed++;
                const code = (ack && ack.error && ack.error.code) || 'no_ack';
                errors[code] = (errors[code] || 0) + 1;
              }
            })
            .catch(() => {
              failed++;
              errors.timeout = (errors.timeout || 0) + 1;
            });
          next[s] += interval;
        }
      }
      await sleep(2);
    }
    return (now() - start) / 1000;
  };
  if ((cfg.warmupSeconds || 0) > 0) await phase(cfg.warmupSeconds, -1);
  const runs = [];
  for (let r = 0; r < (cfg.runs || 3); r++) {
    lat.push([]);
    const first = msgs.length;
    const seconds = await phase(cfg.seconds, r);
    runs.push({ first, last: msgs.length, seconds });
  }
  await sleep((cfg.drainSeconds || 3) * 1000);
  let lost = 0;
  let expected = 0;
  for (let k = 0; k < msgs.length; k++) {
    const msg = msgs[k];
    if (!msg.acked) continue;
    for (const p of bySession[msg.s]) {
      if (p === msg.from) continue;
      expected++;
      if (!p.seen.has(k)) lost++;
    }
  }
  const out = runs.map((r, i) => {
    const acked = msgs.slice(r.first, r.last).filter((m) => m.acked).length;
    return { offered: r.last - r.first, acked, stored_per_s_per_session: acked / r.seconds / cfg.sessions.length, delivery_ms: summary(lat[i]) };
  });
  for (const p of people) p.sock.close();
  return {
    mode: 'groups', sessions: cfg.sessions.length, members: M, rate_per_session: cfg.rate, seconds: cfg.seconds,
    runs: out, expected_deliveries: expected, lost, duplicated: dups, failed, errors,
  };
}

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const run = { bare, service, idle, groups }[cfg.mode];
  if (!run) throw new Error('unknown mode ' + cfg.mode);
  const hardStop = setTimeout(() => {
    log('loadgen: time bound reached, exiting');
    process.exit(3);
  }, (cfg.maxSeconds || 120) * 1000);
  const result = await run(cfg);
  clearTimeout(hardStop);
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

main().catch((err) => {
  log('loadgen failed:', err.stack || err.message);
  process.exit(1);
});
