"""Prometheus metrics (``GET /metrics``): what an operator watches on a bad night. No labels carry
ids or text — only roles, events and outcomes, so the series stay few and private."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SOCKETS = Gauge("peerline_sockets", "Connected sockets on this process", ["role"])
EVENTS = Histogram(
    "peerline_event_seconds",
    "Socket.IO event handling time, from receipt to acknowledgement",
    ["namespace", "event", "outcome"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
MESSAGES = Counter("peerline_messages_stored_total", "Messages stored", ["sender"])
ESCALATIONS = Counter("peerline_escalations_total", "Escalations raised", ["source", "severity"])
PAIRINGS = Counter("peerline_pairings_total", "Seekers paired with a listener")
PAIRING_WAIT = Histogram(
    "peerline_pairing_wait_seconds",
    "How long a seeker waited in the queue before being paired",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800),
)
DETECTOR_DEGRADED = Counter(
    "peerline_detector_degraded_total",
    "Seeker messages answered by the rules alone because the risk model failed or was late",
)
DETECTOR_UNREVIEWED = Counter(
    "peerline_detector_unreviewed_total",
    "Seeker messages the rules answered whose late review by the risk model was given up (overload)",
)
LATE_ESCALATIONS = Counter(
    "peerline_detector_late_escalations_total",
    "Escalations raised by the risk model's late review of a message the rules had answered in time",
)
DETECTOR_WORKER_FAILURES = Counter(
    "peerline_detector_worker_failures_total", "Detector worker processes that died or hung and were replaced"
)
WATCH_HINTS = Counter("peerline_watch_hints_total", "Quiet risk hints sent to listeners (below the alert threshold)")
PAGES = Counter("peerline_pages_total", "Escalation webhook deliveries", ["outcome"])
RATE_LIMIT_FALLBACKS = Counter(
    "peerline_rate_limit_fallback_total",
    "Rate-limit checks counted in this process's memory because Redis did not answer",
    ["limit"],
)
MALFORMED_FRAMES = Counter("peerline_malformed_frames_total", "Connections closed at a malformed frame", ["layer"])
SOCKET_EMITS = Counter(
    "peerline_socket_emits_total",
    "Room emits: 'local' needed no Redis call (no member on another process), 'routed' went through Redis",
    ["path"],
)
LOOP_LAG = Histogram(
    "peerline_event_loop_lag_seconds",
    "How late a 20 ms timer fired on the event loop: a pause in which no socket of this process was served",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
