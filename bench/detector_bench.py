"""Benchmark the crisis detector on realistic chat traffic (a benchmark, not a test).

Run: ``python -m bench.detector_bench`` (or ``python bench/detector_bench.py``) from the project root.
Each conversation is replayed message by message the way the server calls the detector: the newest
seeker message together with the window of recent ones. Most lines are ordinary chat, a few carry risk.
Reports messages per second on one core and p50/p99 latency per message. Prints no message text.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from escalation.detector import WINDOW, Detector

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    detector = Detector.load()
    load_s = time.perf_counter() - t0
    convs = conversations(args.messages, args.seed)
    latencies: list[float] = []
    escalations = 0
    start = time.perf_counter()
    for conv in convs:
        for i in range(len(conv)):
            window = conv[max(0, i + 1 - WINDOW) : i + 1]
            t = time.perf_counter()
            result = detector.assess(window)
            latencies.append(time.perf_counter() - t)
            escalations += result.escalate
    elapsed = time.perf_counter() - start
    latencies.sort()
    n = len(latencies)
    print(
        f"lexicon load: {load_s:.2f} s, {detector.lexicon.pattern_count} patterns, {len(detector.lexicon.rules)} rules"
    )
    print(f"messages: {n} in {elapsed:.2f} s -> {n / elapsed:,.0f} messages/s (one core)")
    print(
        f"latency per message: p50 {statistics.median(latencies) * 1e6:.0f} us, "
        f"p99 {latencies[int(n * 0.99) - 1] * 1e6:.0f} us, max {latencies[-1] * 1e6:.0f} us"
    )
    print(f"windows escalated: {escalations} ({escalations / n:.1%})")


if __name__ == "__main__":
    main()
