"""Settings: one typed object built from the environment in one place.

Nothing else in the service reads ``os.environ``; every module receives the ``Settings`` it needs,
which keeps tests able to run several differently configured servers side by side.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path

from server.security.addresses import IPNetwork

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

# Each can be set as RATE_LIMIT_<NAME> in the `limits` notation ("30/minute"); see server/security/limits.py.
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
        """Each setting is read from the variable named like its field (``port`` from ``PORT``) with the
        default written once, on the field above; only its parsing is written here."""
        env = os.environ if env is None else env
        defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}

        def number(name: str) -> float:
            default = defaults[name]
            raw = env.get(name.upper())
            if raw is None or raw == "":
                return float(default)
            try:
                value = float(raw)
            except ValueError:
                raise ConfigError(f"{name.upper()} must be a number, got {raw!r}") from None
            if value < 0:
                raise ConfigError(f"{name.upper()} must not be negative")
            return value

        def positive(name: str) -> float:
            value = number(name)
            if value <= 0:
                raise ConfigError(f"{name.upper()} must be greater than zero")
            return value

        def whole(name: str) -> int:
            return int(positive(name))

        def text(name: str) -> str:
            return env.get(name.upper(), defaults[name])

        def optional(name: str) -> str | None:
            return env.get(name.upper()) or None

        def probability(name: str) -> float | None:
            if not env.get(name.upper()):
                return None
            value = number(name)
            if not 0 < value <= 1:
                raise ConfigError(f"{name.upper()} must be a probability in (0, 1], got {value}")
            return value

        def pairs(name: str) -> tuple[Topic, ...]:
            raw = env.get(name.upper())
            if not raw:
                return defaults[name]
            items = []
            for part in raw.split(","):
                ident, _, label = part.strip().partition("=")
                if not ident:
                    continue
                items.append(Topic(ident.strip(), (label or ident).strip()))
            if not items:
                raise ConfigError(f"{name.upper()} lists nothing")
            return tuple(items)

        def gc_thresholds() -> tuple[int, int, int]:
            raw = env.get("GC_THRESHOLDS", "").strip()
            if not raw:
                return defaults["gc_thresholds"]
            try:
                values = tuple(int(v) for v in raw.split(","))
            except ValueError:
                raise ConfigError("GC_THRESHOLDS must be three whole numbers, e.g. 50000,50,1000") from None
            if len(values) != 3 or any(v < 0 for v in values):
                raise ConfigError("GC_THRESHOLDS must be three whole numbers, e.g. 50000,50,1000")
            return (values[0], values[1], values[2])

        def switch(name: str) -> bool:
            raw = env.get(name.upper())
            return defaults[name] if raw is None else raw.lower() not in ("0", "off", "false", "no")

        def path(name: str) -> Path | None:
            raw = env.get(name.upper())
            return Path(raw) if raw else None

        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        metrics_token = optional("metrics_token")
        if metrics_token is not None and len(metrics_token.encode()) < MIN_METRICS_TOKEN_BYTES:
            raise ConfigError(f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_BYTES} bytes long")
        return cls(
            database_url=optional("database_url"),
            redis_url=optional("redis_url"),
            jwt_secret=optional("jwt_secret"),
            port=whole("port"),
            host=text("host"),
            # absolute once, here: redis-server changes into its --dir before it opens --logfile, so a
            # relative folder would name a different place for each embedded service
            data_dir=Path(env.get("PEERLINE_DATA_DIR", defaults["data_dir"])).expanduser().resolve(),
            topics=pairs("topics"),
            languages=pairs("languages"),
            seeker_token_ttl_s=whole("seeker_token_ttl_s"),
            staff_token_ttl_s=whole("staff_token_ttl_s"),
            match_topic_wait_s=number("match_topic_wait_s"),
            pairing_interval_s=positive("pairing_interval_s"),
            queue_update_interval_s=positive("queue_update_interval_s"),
            listener_grace_s=number("listener_grace_s"),
            seeker_grace_s=number("seeker_grace_s"),
            escalation_realert_s=positive("escalation_realert_s"),
            escalation_page_after_s=number("escalation_page_after_s"),
            escalation_webhook_url=optional("escalation_webhook_url"),
            dashboard_url=optional("dashboard_url"),
            shutdown_grace_s=positive("shutdown_grace_s"),
            redis_max_connections=whole("redis_max_connections"),
            db_pool_size=whole("db_pool_size"),
            detector_window=whole("detector_window"),
            escalation_alert_threshold=probability("escalation_alert_threshold"),
            escalation_watch_threshold=probability("escalation_watch_threshold"),
            detector_model=switch("detector_model"),
            detector_deadline_s=positive("detector_deadline_s"),
            allowed_origins=origins,
            rate_limits={
                name: env[f"RATE_LIMIT_{name.upper()}"]
                for name in RATE_LIMIT_NAMES
                if env.get(f"RATE_LIMIT_{name.upper()}")
            },
            log_level=text("log_level").upper(),
            gc_thresholds=gc_thresholds(),
            message_key=optional("message_key"),
            message_keys_old=optional("message_keys_old"),
            metrics_token=metrics_token,
            retention_days=positive("retention_days"),
            escalation_retention_days=positive("escalation_retention_days"),
            group_retention_hours=positive("group_retention_hours"),
            token_check_interval_s=positive("token_check_interval_s"),
            trusted_proxies=_trusted_proxies(env),
            crisis_resources_file=path("crisis_resources_file"),
            crisis_guide_file=path("crisis_guide_file"),
        )
