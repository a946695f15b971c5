"""Summarise a ``py-spy record --format raw`` profile: where the server's CPU goes, by function.

``python -m bench.profile_summary PROFILE.txt [--top N] [--match TEXT]``: self time (the function was
on top of the stack) and inclusive time (anywhere on the stack), as a share of all samples.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def summarise(path: Path, top: int, match: str | None) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [
            f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].rsplit("/", 1)[-1] + ")" for f in stack.split(";")
        ]
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    out = [f"{total} samples", "", "self %   function"]
    out += [f"{100 * c / total:5.1f}   {f}" for f, c in own.most_common(top)]
    out += ["", "incl %   function"]
    rows = [(f, c) for f, c in inclusive.most_common() if match is None or match in f]
    out += [f"{100 * c / total:5.1f}   {f}" for f, c in rows[:top]]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_summary")
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default=None)
    args = parser.parse_args()
    print(summarise(args.profile, args.top, args.match))


if __name__ == "__main__":
    main()
