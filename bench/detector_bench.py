"""Benchmark the whole crisis detector (rules + trained model) on realistic chat traffic, batched the
way the server's worker batches it (a benchmark, not a test).

Run on one core from the project root: ``taskset -c 1 python -m bench.detector_bench`` (options:
``--batch 1,8,64``, ``--model on|off``, ``--messages N``). Each conversation is replayed message by
message the way the server calls the detector: the newest seeker message together with the window
of recent ones. Windows go to ``Detector.assess_batch`` in batches of B consecutive windows, as
``escalation/offload.py`` sends what arrived while the previous batch was assessed (1 when quiet, up
to ``MAX_BATCH`` under load). A message's latency is its batch's time (every window in a batch waits
for the batch). Most lines are ordinary chat, a few carry risk; ~90 % are made unique so no cache
flatters the figures. The load generator's texts (``bench/loadgen/text.js``) are checked too: its
ordinary texts must not escalate, its crisis texts must. Prints no message text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from escalation.detector import WINDOW, Detector
from escalation.offload import MAX_BATCH

BENIGN = [
    "hi",
    "hello? is anyone there",
    "thanks for talking with me tonight",
    "ok",
    "k",
    "yeah",
    "my exam is tomorrow and im so stressed",
    "this homework is killing me lol",
    "i had a fight with my mom about curfew",
    "i feel kind of lonely since i moved here",
    "work has been really overwhelming lately, my boss keeps adding deadlines",
    "i don't know, i just feel off today",
    "can i talk to the same listener as last time?",
    "my dog died last month and the house feels empty",
    "my phone is about to die, brb",
    "i'm dying to see that new movie",
    "we killed it at the game tonight!!",
    "i've been sleeping badly and i can't focus in class",
    "my best friend stopped replying to me",
    "do you save these conversations?",
    "i think i'm depressed, should i talk to my doctor?",
    "thank you, that actually helps a lot",
    "i guess i just needed to vent",
    "my parents are getting divorced and i feel like it's my fault",
    "im not suicidal or anything, just really tired of my job",
    "i used to self harm in high school but i'm in a much better place now",
    "Tengo ansiedad por la entrevista de mañana, no puedo dormir",
    "me siento muy sola desde que me mudé",
    "gracias por escucharme 💛",
    "lol sorry im bad at starting conversations",
    "the suspense is killing me, grades come out tomorrow",
    "what hours are you open on weekends",
    "i cried in the car before work today",
    "my therapist says i'm making progress",
    "i'm so angry at my brother, he took my charger again 😤",
    "honestly i just want someone to listen for a bit, it's been a long week and everything piles up",
]
RISK = [
    "i want to die",
    "i'm going to kill myself tonight",
    "i took like 30 pills an hour ago",
    "my dad hits me when he drinks",
    "i cut again last night and it won't stop bleeding",
    "everyone would be better off without me",
    "i have the pills / all 40 / tonight",
    "me quiero morir",
    "he said he'd kill me if i left",
]


def conversations(n_messages: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    convs: list[list[str]] = []
    total = 0
    while total < n_messages:
        length = rng.randint(3, 20)
        conv = []
        for _ in range(length):
            if rng.random() < 0.05:
                conv.extend(rng.choice(RISK).split(" / "))
            else:
                line = rng.choice(BENIGN)
                # most real lines are unique: vary them so the per-message cache does not flatter us
                conv.append(f"{line} {rng.randint(1, 999_999)}" if rng.random() < 0.9 else line)
        convs.append(conv)
        total += len(conv)
    return convs


def windows_of(convs: list[list[str]]) -> list[list[str]]:
    return [conv[max(0, i + 1 - WINDOW) : i + 1] for conv in convs for i in range(len(conv))]


def measure(detector: Detector, windows: list[list[str]], batch: int) -> dict[str, float]:
    """Windows in batches of ``batch``; per-message latency = its batch's time."""
    latencies: list[float] = []
    escalations = 0
    start = time.perf_counter()
    for i in range(0, len(windows), batch):
        chunk = windows[i : i + batch]
        t = time.perf_counter()
        verdicts = detector.assess_batch(chunk)
        took = time.perf_counter() - t
        latencies.extend([took] * len(chunk))
        escalations += sum(v.escalate for v in verdicts)
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    return {
        "messages": n,
        "per_s": n / elapsed,
        "p50_us": statistics.median(latencies) * 1e6,
        "p99_us": latencies[max(0, int(n * 0.99) - 1)] * 1e6,
        "max_us": latencies[-1] * 1e6,
        "escalated": escalations / n,
    }


def check_loadgen_texts(detector: Detector) -> str:
    """The generator's ordinary texts must not escalate and its crisis texts must (else the benchmark's
    escalation path and figures would be wrong)."""
    script = Path(__file__).resolve().parent / "loadgen" / "text.js"
    try:
        out = subprocess.run(["node", str(script), "400"], capture_output=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "load generator texts: not checked (node not available)"
    texts = json.loads(out)
    ordinary = sum(v.escalate for v in detector.assess_batch([[t] for t in texts["ordinary"]]))
    crisis = sum(v.escalate for v in detector.assess_batch([[t] for t in texts["crisis"]]))
    return (
        f"load generator texts: {ordinary}/{len(texts['ordinary'])} ordinary escalate (want 0), "
        f"{crisis}/{len(texts['crisis'])} crisis escalate (want all)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", default=f"1,8,{MAX_BATCH}", help="batch sizes to measure")
    parser.add_argument("--model", choices=["on", "off"], default="on")
    args = parser.parse_args()
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) != 1:
        print("note: not pinned to one core (use taskset -c N)", file=sys.stderr)

    t0 = time.perf_counter()
    detector = Detector.load(model=args.model == "on")
    detector.assess_batch([["warm up"]])  # the embedder loads lazily
    load_s = time.perf_counter() - t0
    windows = windows_of(conversations(args.messages, args.seed))
    print(
        f"detector load: {load_s:.2f} s, {detector.lexicon.pattern_count} patterns, {len(detector.lexicon.rules)}"
        f" rules, model {args.model}"
    )
    print(check_loadgen_texts(detector))
    for batch in (int(b) for b in args.batch.split(",")):
        detector.analyze.cache_clear()  # each batch size starts cold, as a fresh worker would
        r = measure(detector, windows, batch)
        print(
            f"batch {batch:>3}: {r['messages']} messages -> {r['per_s']:,.0f} messages/s (one core); per message"
            f" p50 {r['p50_us']:,.0f} us, p99 {r['p99_us']:,.0f} us, max {r['max_us']:,.0f} us;"
            f" escalated {r['escalated']:.1%}"
        )


if __name__ == "__main__":
    main()
