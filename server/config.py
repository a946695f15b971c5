"""Settings: one typed object built from the environment in one place.

Nothing else in the service reads ``os.environ``; every module receives the ``Settings`` it needs,
which keeps tests able to run several differently configured servers side by side.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from server.addresses import IPNetwork

DEFAULT_TOPICS: tuple[tuple[str, str], ...] = (
    ("mental_health", "Mental health"),
    ("anxiety_depression", "Anxiety & depression"),
    ("recovery", "Addiction & recovery"),
    ("veterans", "Veterans & PTSD"),
    ("disability", "Disability & chronic illness"),
    ("grief", "Grief & loss"),
    ("students", "Students"),
    ("lgbtq", "LGBTQ+"),
    ("sex_workers", "Sex workers' peer support"),
    ("talk", "Just need to talk"),
)

DEFAULT_LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("es", "Español"))

MIN_JWT_SECRET_BYTES = 32
MIN_METRICS_TOKEN_BYTES = 16

# Each can be set as RATE_LIMIT_<NAME> in the `limits` notation ("30/minute"); see server/limits.py.
RATE_LIMIT_NAMES = (
    "events_per_socket",
    "chat_requests_per_seeker",
    "chat_requests_per_address",
    "seeker_sessions_per_address",
    "logins_per_address",
    "login_failures_per_username_address",
    "login_failures_per_username",
    "connections_per_address",
)


class ConfigError(Exception):
    """The environment does not describe a service that can start; the message says why."""


def _trusted_proxies(env: Mapping[str, str]) -> tuple[IPNetwork, ...]:
    """``TRUST_X_FORWARDED_FOR=1`` needs ``TRUSTED_PROXIES`` (CIDRs): trusting the header from any peer
    would let a client that reaches the service directly pick its own address, and escape every limit."""
    if env.get("TRUST_X_FORWARDED_FOR", "").lower() not in ("1", "true", "yes"):
        return ()
    networks = []
    for part in env.get("TRUSTED_PROXIES", "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES: {part.strip()!r} is not an address or CIDR") from None
    if not networks:
        raise ConfigError("TRUST_X_FORWARDED_FOR=1 needs TRUSTED_PROXIES: the proxies' addresses or CIDRs")
    return tuple(networks)


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None
    redis_url: str | None
    jwt_secret: str | None = field(repr=False)
    port: int = 8080
    host: str = "0.0.0.0"
    data_dir: Path = Path(".peerline")
    topics: tuple[Topic, ...] = tuple(Topic(i, label) for i, label in DEFAULT_TOPICS)
    languages: tuple[Topic, ...] = tuple(Topic(i, label) for i, label in DEFAULT_LANGUAGES)
    seeker_token_ttl_s: int = 24 * 3600
    staff_token_ttl_s: int = 12 * 3600
    match_topic_wait_s: float = 60.0
    pairing_interval_s: float = 1.0
    queue_update_interval_s: float = 1.0
    listener_grace_s: float = 30.0
    seeker_grace_s: float = 120.0
    escalation_realert_s: float = 30.0
    escalation_page_after_s: float = 120.0
    escalation_webhook_url: str | None = None
    dashboard_url: str | None = None
    shutdown_grace_s: float = 10.0
    redis_max_connections: int = 1000
    db_pool_size: int = 20
    detector_window: int = 5
    # None: the thresholds chosen at training for the stated false-alarm budgets (docs/detector.md)
    escalation_alert_threshold: float | None = None
    escalation_watch_threshold: float | None = None
    detector_model: bool = True
    detector_deadline_s: float = 0.5  # the longest a message waits for the model before the rules answer alone
    allowed_origins: tuple[str, ...] = ()
    rate_limits: dict[str, str] = field(default_factory=dict)
    message_key: str | None = field(default=None, repr=False)
    message_keys_old: str | None = field(default=None, repr=False)
    metrics_token: str | None = field(default=None, repr=False)
    retention_days: float = 30.0
    escalation_retention_days: float = 365.0
    group_retention_hours: float = 24.0  # group transcripts after their session ends (cited messages stay)
    token_check_interval_s: float = 30.0
    trusted_proxies: tuple[IPNetwork, ...] = ()  # X-Forwarded-For is read only from these peers
    crisis_resources_file: Path | None = None
    crisis_guide_file: Path | None = None
    log_level: str = "INFO"
    # the cyclic GC's generation thresholds once start-up objects are frozen (docs/performance.md):
    # CPython's (700, 10, 10) collects the youngest generation every few messages under load
    gc_thresholds: tuple[int, int, int] = (50_000, 50, 1_000)
    static_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent / "client_web" / "dist")

    @property
    def embedded(self) -> bool:
        """True when the service should start its own PostgreSQL and Redis (the fresh-machine default)."""
        return not self.database_url and not self.redis_url

    @property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.topics)

    @property
    def language_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.languages)

    def require_complete(self) -> None:
        """Refuse a half-configured production start rather than run with a guessable secret."""
        if bool(self.database_url) != bool(self.redis_url):
            missing = "REDIS_URL" if self.database_url else "DATABASE_URL"
            raise ConfigError(
                f"{missing} is not set: set both DATABASE_URL and REDIS_URL, or neither for the embedded default"
            )
        if not self.jwt_secret:
            raise ConfigError("JWT_SECRET is not set: it is required when DATABASE_URL and REDIS_URL are set")
        if len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            raise ConfigError(f"JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes long")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def number(name: str, default: float) -> float:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name} must be a number, got {raw!r}") from None
            if value < 0:
                raise ConfigError(f"{name} must not be negative")
            return value

        def positive(name: str, default: float) -> float:
            value = number(name, default)
            if value <= 0:
                raise ConfigError(f"{name} must be greater than zero")
            return value

        def probability(name: str) -> float | None:
            if not env.get(name):
                return None
            value = number(name, 0.0)
            if not 0 < value <= 1:
                raise ConfigError(f"{name} must be a probability in (0, 1], got {value}")
            return value

        def pairs(name: str, default: tuple[tuple[str, str], ...]) -> tuple[Topic, ...]:
            raw = env.get(name)
            if not raw:
                return tuple(Topic(i, label) for i, label in default)
            items = []
            for part in raw.split(","):
                ident, _, label = part.strip().partition("=")
                if not ident:
                    continue
                items.append(Topic(ident.strip(), (label or ident).strip()))
            if not items:
                raise ConfigError(f"{name} lists nothing")
            return tuple(items)

        def gc_thresholds() -> tuple[int, int, int]:
            raw = env.get("GC_THRESHOLDS", "").strip()
            if not raw:
                return (50_000, 50, 1_000)
            try:
                values = tuple(int(v) for v in raw.split(","))
            except ValueError:
                raise ConfigError("GC_THRESHOLDS must be three whole numbers, e.g. 50000,50,1000") from None
            if len(values) != 3 or any(v < 0 for v in values):
                raise ConfigError("GC_THRESHOLDS must be three whole numbers, e.g. 50000,50,1000")
            return (values[0], values[1], values[2])

        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        metrics_token = env.get("METRICS_TOKEN") or None
        if metrics_token is not None and len(metrics_token.encode()) < MIN_METRICS_TOKEN_BYTES:
            raise ConfigError(f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_BYTES} bytes long")
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            jwt_secret=env.get("JWT_SECRET") or None,
            port=int(positive("PORT", 8080)),
            host=env.get("HOST", "0.0.0.0"),
            # absolute once, here: redis-server changes into its --dir before it opens --logfile, so a
            # relative folder would name a different place for each embedded service
            data_dir=Path(env.get("PEERLINE_DATA_DIR", ".peerline")).expanduser().resolve(),
            topics=pairs("TOPICS", DEFAULT_TOPICS),
            languages=pairs("LANGUAGES", DEFAULT_LANGUAGES),
            seeker_token_ttl_s=int(positive("SEEKER_TOKEN_TTL_S", 24 * 3600)),
            staff_token_ttl_s=int(positive("STAFF_TOKEN_TTL_S", 12 * 3600)),
            match_topic_wait_s=number("MATCH_TOPIC_WAIT_S", 60.0),
            pairing_interval_s=positive("PAIRING_INTERVAL_S", 1.0),
            queue_update_interval_s=positive("QUEUE_UPDATE_INTERVAL_S", 1.0),
            listener_grace_s=number("LISTENER_GRACE_S", 30.0),
            seeker_grace_s=number("SEEKER_GRACE_S", 120.0),
            escalation_realert_s=positive("ESCALATION_REALERT_S", 30.0),
            escalation_page_after_s=number("ESCALATION_PAGE_AFTER_S", 120.0),
            escalation_webhook_url=env.get("ESCALATION_WEBHOOK_URL") or None,
            dashboard_url=env.get("DASHBOARD_URL") or None,
            shutdown_grace_s=positive("SHUTDOWN_GRACE_S", 10.0),
            redis_max_connections=int(positive("REDIS_MAX_CONNECTIONS", 1000)),
            db_pool_size=int(positive("DB_POOL_SIZE", 20)),
            detector_window=int(positive("DETECTOR_WINDOW", 5)),
            escalation_alert_threshold=probability("ESCALATION_ALERT_THRESHOLD"),
            escalation_watch_threshold=probability("ESCALATION_WATCH_THRESHOLD"),
            detector_model=env.get("DETECTOR_MODEL", "on").lower() not in ("0", "off", "false", "no"),
            detector_deadline_s=positive("DETECTOR_DEADLINE_S", 0.5),
            allowed_origins=origins,
            rate_limits={
                name: env[f"RATE_LIMIT_{name.upper()}"]
                for name in RATE_LIMIT_NAMES
                if env.get(f"RATE_LIMIT_{name.upper()}")
            },
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            gc_thresholds=gc_thresholds(),
            message_key=env.get("MESSAGE_KEY") or None,
            message_keys_old=env.get("MESSAGE_KEYS_OLD") or None,
            metrics_token=metrics_token,
            retention_days=positive("RETENTION_DAYS", 30.0),
            escalation_retention_days=positive("ESCALATION_RETENTION_DAYS", 365.0),
            group_retention_hours=positive("GROUP_RETENTION_HOURS", 24.0),
            token_check_interval_s=positive("TOKEN_CHECK_INTERVAL_S", 30.0),
            trusted_proxies=_trusted_proxies(env),
            crisis_resources_file=Path(env["CRISIS_RESOURCES_FILE"]) if env.get("CRISIS_RESOURCES_FILE") else None,
            crisis_guide_file=Path(env["CRISIS_GUIDE_FILE"]) if env.get("CRISIS_GUIDE_FILE") else None,
        )
