"""The detector in a worker process, fed in batches, so assessing a message never blocks the chat.

The whole detector (rules ≈ 0.1–0.3 ms, model ≈ 2 ms for a new message with its sentence embedding) is
far over what the event loop can spend per message, so it runs in one separate process
(``concurrent.futures.ProcessPoolExecutor``, spawned, so it shares nothing with the server's
loop). Windows that arrive while a batch is being assessed wait and go together as the next batch:
under load the batches grow and the cost per window falls; when it is quiet a window goes alone.

The caller awaits the verdict *before* it stores the message, and stores the escalation in the same
transaction as the message, so no stored seeker message is ever left unassessed: a crash before
the commit loses nothing that was acknowledged (the client retries with the same ``client_id``),
a crash after it has the verdict stored with the message.

A verdict the worker has not given within ``deadline_s`` (a worker behind under a burst, or stuck)
is given at once by the rules in this process (~0.1 ms; explicit and imminent wording still
escalates), marked ``degraded``: the chat never waits longer than that for the model. The model's
own verdict on that window still comes, later (``assess_or_defer``): the caller, which has stored
the message by then, escalates it if the model sees the risk the rules missed. The worker takes the
newest windows first, so under a sustained overload fresh messages still get the model in time and
the late ones are reviewed as the load allows; a review not done within ``REVIEW_MAX_AGE_S`` is
given up and counted (``on_unreviewed``). If the worker
dies or hangs, it is replaced and the batch is assessed once more in a fresh worker; if that fails
too, by the rules here. If the detector itself raises (a bug), the batch is assessed by the rules
here; if they raise too, the messages go on (never refused) with ``UNKNOWN_RISK``: an escalation
flagged "unknown risk", never a silent "no risk". Each worker failure calls ``on_failure`` (the
server counts it in its metrics).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import dataclasses
import logging
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from escalation.detector import UNKNOWN_RISK, Assessment, Detector

log = logging.getLogger(__name__)

MAX_BATCH = 64
# A detector bug must not stop a seeker's words from reaching their listener: the message is stored
# and delivered, and whatever the rules here cannot assess either alerts as UNKNOWN_RISK.
BATCH_TIMEOUT_S = 10.0  # a batch that takes longer means a stuck worker: replace it
REVIEW_MAX_AGE_S = 30.0  # a late review older than this is given up: its escalation would come too late to help


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """What a worker needs to load the same detector as every other process."""

    languages: tuple[str, ...]
    cache_dir: Path | None
    window: int
    alert_threshold: float | None
    watch_threshold: float | None
    model: bool = True

    def load(self) -> Detector:
        return Detector.load(
            self.languages,
            self.cache_dir,
            model=self.model,
            window=self.window,
            alert_threshold=self.alert_threshold,
            watch_threshold=self.watch_threshold,
        )


_worker_detector: Detector | None = None


def _init_worker(config: DetectorConfig) -> None:
    global _worker_detector
    with contextlib.suppress(Exception):  # a killed server must not leave its worker behind
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the server stops us
    _worker_detector = config.load()
    _worker_detector.assess(["warm up"])


def _assess_in_worker(windows: list[list[str]]) -> list[Assessment]:
    if _worker_detector is None:
        raise RuntimeError("worker not initialised")
    return _worker_detector.assess_batch(windows)


@dataclass(slots=True)
class _Pending:
    window: list[str]
    future: asyncio.Future[Assessment]
    queued_at: float


async def late_review(review: asyncio.Future[Assessment], what: str) -> Assessment | None:
    """The model's verdict on a message the rules answered for (``assess`` with a review to come), or None
    when the worker gave it up as too late (counted there) or it failed (logged, naming ``what``)."""
    try:
        return await review
    except asyncio.CancelledError:
        if review.cancelled():
            return None
        raise
    except Exception as exc:
        log.error("the risk model's late review of %s failed (%s)", what, type(exc).__name__)
        return None


class AssessmentWorker:
    def __init__(
        self,
        config: DetectorConfig,
        *,
        deadline_s: float = 10.0,
        on_failure: Callable[[], object] | None = None,
        on_unreviewed: Callable[[], object] | None = None,
    ) -> None:
        self._config = config
        self._deadline_s = deadline_s
        self._on_failure = on_failure
        self._on_unreviewed = on_unreviewed
        self._pool: ProcessPoolExecutor | None = None
        self._pending: list[_Pending] = []
        self._wakeup = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._rules: Detector | None = None  # in this process: the answer when the worker is late or gone
        self.failures = 0
        self.batches = 0
        self.unreviewed = 0

    async def start(self) -> None:
        """Loads the detector in the worker and answers one window before returning (so /readyz
        never says ready while the first crisis message would wait for a model to load)."""
        self._rules = await asyncio.to_thread(dataclasses.replace(self._config, model=False).load)
        self._pool = self._new_pool()
        await asyncio.get_running_loop().run_in_executor(self._pool, _assess_in_worker, [["warm up"]])
        self._dispatcher = asyncio.create_task(self._dispatch())

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._config,),
        )

    async def assess(self, window: Sequence[str]) -> Assessment:
        verdict, review = await self.assess_or_defer(window)
        if review is not None:
            review.cancel()  # nobody waits for it: the worker skips it
        return verdict

    async def assess_or_defer(
        self, window: Sequence[str], *, wait: bool = True
    ) -> tuple[Assessment, asyncio.Future[Assessment] | None]:
        """The worker's verdict within the deadline, with no review; past it, the rules' verdict now and
        the worker's own still to come (``review``; cancelled if it would come too late). ``wait=False``:
        the rules' verdict at once and the review to come, for a caller that holds a lock others wait on."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Assessment] = loop.create_future()
        self._pending.append(_Pending(list(window), future, loop.time()))
        self._wakeup.set()
        if not wait:
            return self._rules_now([list(window)])[0], future
        try:
            return await asyncio.wait_for(asyncio.shield(future), self._deadline_s), None
        except TimeoutError:
            return self._rules_now([list(window)])[0], future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if future.cancelled() and not (task is not None and task.cancelling()):
                return self._rules_now([list(window)])[0], None  # given up (the worker is closing)
            raise
        except Exception as exc:  # the dispatcher could not run the batch at all
            log.error("detector batch failed (%s); this window is assessed by the rules here", type(exc).__name__)
            return self._rules_now([list(window)])[0], None

    def _rules_now(self, windows: list[list[str]]) -> list[Assessment]:
        """The rules in this process; never raises: if they cannot answer either, the risk is unknown."""
        if self._rules is None:
            return [UNKNOWN_RISK] * len(windows)
        try:
            return [dataclasses.replace(v, degraded=True) for v in self._rules.assess_batch(windows)]
        except Exception as exc:
            log.error("the rules failed too (%s); the batch alerts as unknown risk", type(exc).__name__)
            return [UNKNOWN_RISK] * len(windows)

    async def _dispatch(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                live = self._live_pending()
                batch, self._pending = live[-MAX_BATCH:], live[:-MAX_BATCH]  # the newest first
                if not batch:
                    continue
                try:
                    verdicts = await self._run([p.window for p in batch])
                except Exception as exc:  # the fallback itself failed: every caller hears of it
                    for p in batch:
                        if not p.future.done():
                            p.future.set_exception(exc)
                    continue
                for p, verdict in zip(batch, verdicts, strict=True):
                    if not p.future.done():
                        p.future.set_result(verdict)

    def _live_pending(self) -> list[_Pending]:
        """The windows still worth assessing, in one pass: a review nobody waits for is done, and a
        review too old to help is given up (only reviews: long after its caller took the rules' verdict)."""
        oldest = asyncio.get_running_loop().time() - max(REVIEW_MAX_AGE_S, 2 * self._deadline_s)
        live = []
        for p in self._pending:
            if p.future.done():
                continue
            if p.queued_at < oldest:
                p.future.cancel()
                self.unreviewed += 1
                if self._on_unreviewed is not None:
                    self._on_unreviewed()
                continue
            live.append(p)
        return live

    async def _run(self, windows: list[list[str]]) -> list[Assessment]:
        loop = asyncio.get_running_loop()
        self.batches += 1
        for attempt in (1, 2):
            pool = self._pool
            if pool is None:
                break
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, _assess_in_worker, windows), timeout=BATCH_TIMEOUT_S
                )
            except (BrokenProcessPool, TimeoutError, OSError) as exc:
                self.failures += 1
                if self._on_failure is not None:
                    self._on_failure()
                log.error("detector worker failed (%s, attempt %d); starting a new one", type(exc).__name__, attempt)
                self._replace_pool(pool)
            except Exception as exc:  # a bug in the detector itself: the message must still get through
                log.error("detector failed on a batch (%s); the rules here assess it", type(exc).__name__)
                return self._rules_now(windows)
        log.error("the detector worker failed twice: this batch is assessed by the rules alone")
        return self._rules_now(windows)

    def _replace_pool(self, broken: ProcessPoolExecutor) -> None:
        for process in list(getattr(broken, "_processes", {}).values()):  # a hung worker is killed
            with contextlib.suppress(Exception):
                process.kill()
        broken.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    async def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dispatcher
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
