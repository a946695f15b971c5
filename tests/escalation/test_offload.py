"""The detector worker process: verdicts in order, batches, and what happens when the detector fails."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import pytest

from escalation import offload
from escalation.detector import UNKNOWN_RISK, Assessment, Detector
from escalation.offload import AssessmentWorker, DetectorConfig


class _Raising:
    """A detector with a bug: it answers the warm-up and fails on every real batch."""

    def assess(self, messages: list[str]) -> Assessment:
        return self.assess_batch([messages])[0]

    def assess_batch(self, windows: list[list[str]]) -> list[Assessment]:
        if windows == [["warm up"]]:  # start() checks the worker answers before the server says ready
            return [Assessment(False, None, None, ())]
        raise ZeroDivisionError("injected")


@dataclass(frozen=True, slots=True)
class RaisingConfig(DetectorConfig):
    def load(self) -> Detector:
        return _Raising()  # type: ignore[return-value]


class _Slow:
    """The rules, half a second per batch: a worker that falls behind."""

    def __init__(self) -> None:
        self._rules = Detector.load(model=False)

    def assess(self, messages: list[str]) -> Assessment:
        return self.assess_batch([messages])[0]

    def assess_batch(self, windows: list[list[str]]) -> list[Assessment]:
        if windows != [["warm up"]]:
            time.sleep(0.5)
        return self._rules.assess_batch(windows)


@dataclass(frozen=True, slots=True)
class SlowConfig(DetectorConfig):
    def load(self) -> Detector:
        if not self.model:  # the rules in the server process, which answer for a late worker
            return Detector.load(model=False)
        return _Slow()  # type: ignore[return-value]


def _config(cls: type[DetectorConfig] = DetectorConfig) -> DetectorConfig:
    return cls(languages=("en", "es"), cache_dir=None, window=5, alert_threshold=None, watch_threshold=None)


async def test_concurrent_windows_get_their_own_verdicts_in_batches() -> None:
    worker = AssessmentWorker(_config())
    await worker.start()
    try:
        windows = [["i am going to kill myself tonight"] if i % 10 == 0 else [f"ordinary line {i}"] for i in range(60)]
        verdicts = await asyncio.gather(*(worker.assess(w) for w in windows))
        assert [v.escalate for v in verdicts] == [i % 10 == 0 for i in range(60)]
        assert worker.batches < 60  # windows that arrived together went together
        assert worker.failures == 0
    finally:
        await worker.close()


@dataclass(frozen=True, slots=True)
class RaisingModelConfig(DetectorConfig):
    """The worker's detector has a bug; the rules this process falls back to are sound."""

    def load(self) -> Detector:
        return _Raising() if self.model else DetectorConfig.load(self)  # type: ignore[return-value]


async def test_a_detector_bug_that_the_rules_share_alerts_as_unknown_risk() -> None:
    """Worker and fallback both raise: the message goes through (never refused) as "unknown risk",
    an escalation for a supervisor to look at, never a silent "no risk"."""
    failures: list[int] = []
    worker = AssessmentWorker(_config(RaisingConfig), on_failure=lambda: failures.append(1))
    await worker.start()
    try:
        verdict = await asyncio.wait_for(worker.assess(["hello"]), 30)
        assert verdict == UNKNOWN_RISK
        assert verdict.degraded and verdict.unknown and verdict.escalate and verdict.severity == "high"
        assert failures == []  # the worker itself is healthy: it is not replaced
    finally:
        await worker.close()


async def test_a_detector_bug_in_the_worker_falls_back_to_the_rules_here() -> None:
    worker = AssessmentWorker(_config(RaisingModelConfig))
    await worker.start()
    try:
        crisis, plain = await asyncio.wait_for(
            asyncio.gather(worker.assess(["i am going to kill myself tonight"]), worker.assess(["an ordinary line"])),
            30,
        )
        assert crisis.escalate and crisis.degraded and not crisis.unknown
        assert not plain.escalate and plain.degraded and not plain.unknown
    finally:
        await worker.close()


async def test_a_late_verdict_comes_later_as_a_review_and_a_hopeless_review_is_given_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(offload, "REVIEW_MAX_AGE_S", 0.0)  # given up after twice the deadline
    worker = AssessmentWorker(_config(SlowConfig), deadline_s=0.05)
    await worker.start()
    try:
        verdict, review = await worker.assess_or_defer(["i am going to kill myself tonight"])
        assert verdict.degraded and verdict.escalate  # the rules here answered in time
        assert review is not None  # and the worker's own verdict is on its way
        waiting = await asyncio.gather(*(worker.assess_or_defer([f"ordinary line {i}"]) for i in range(3)))
        late = await asyncio.wait_for(review, 30)
        assert late.escalate and not late.degraded
        reviews = [r for _, r in waiting]
        assert all(r is not None for r in reviews)
        for _ in range(50):
            if worker.unreviewed == 3:
                break
            await asyncio.sleep(0.1)
        assert worker.unreviewed == 3 and all(r is not None and r.cancelled() for r in reviews)
    finally:
        await worker.close()


async def test_a_caller_holding_a_lock_gets_the_rules_at_once_and_the_models_review_later() -> None:
    """``wait=False`` (a message assessed with its session or conversation row locked): however slow the
    worker, the rules answer now — nothing waits for the worker under the lock — and the model still reviews."""
    worker = AssessmentWorker(_config(SlowConfig), deadline_s=30.0)
    await worker.start()
    try:
        verdict, review = await worker.assess_or_defer(["i am going to kill myself tonight"], wait=False)
        # had it waited (the deadline is 30 s) the worker's verdict would have come with no review
        assert verdict.degraded and verdict.escalate and review is not None and not review.done()
        late = await asyncio.wait_for(review, 30)
        assert late.escalate and not late.degraded
    finally:
        await worker.close()
