"""Settings come from the environment in one place and refuse what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import ConfigError, Settings


def test_defaults_are_the_embedded_default() -> None:
    s = Settings.from_env({})
    assert s.embedded and s.port == 8080 and s.match_topic_wait_s == 60 and s.listener_grace_s == 30
    assert "veterans" in s.topic_ids and s.language_ids == {"en", "es"}


def test_the_data_folder_is_absolute_whatever_the_environment_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).data_dir == tmp_path / ".peerline"
    assert Settings.from_env({"PEERLINE_DATA_DIR": "data/here"}).data_dir == tmp_path / "data" / "here"


def test_production_needs_both_urls_and_a_long_secret() -> None:
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        Settings.from_env({"DATABASE_URL": "postgresql://x", "REDIS_URL": "redis://x"}).require_complete()
    with pytest.raises(ConfigError, match="REDIS_URL"):
        Settings.from_env({"DATABASE_URL": "postgresql://x", "JWT_SECRET": "s" * 40}).require_complete()
    with pytest.raises(ConfigError, match="32 bytes"):
        Settings.from_env({"DATABASE_URL": "d", "REDIS_URL": "r", "JWT_SECRET": "short"}).require_complete()
    Settings.from_env({"DATABASE_URL": "d", "REDIS_URL": "r", "JWT_SECRET": "s" * 32}).require_complete()


@pytest.mark.parametrize(
    ("name", "value"), [("PORT", "eighty"), ("PAIRING_INTERVAL_S", "0"), ("LISTENER_GRACE_S", "-1"), ("TOPICS", ",")]
)
def test_bad_values_are_refused_with_the_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


def test_topics_languages_and_limits_are_configurable() -> None:
    s = Settings.from_env(
        {"TOPICS": "a=Alpha, b", "LANGUAGES": "fr=Français", "RATE_LIMIT_LOGIN_FAILURES_PER_USERNAME": "3/minute"}
    )
    assert [(t.id, t.label) for t in s.topics] == [("a", "Alpha"), ("b", "b")]
    assert s.language_ids == {"fr"} and s.rate_limits == {"login_failures_per_username": "3/minute"}


def test_forwarded_for_needs_trusted_proxies_and_a_long_metrics_token() -> None:
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUST_X_FORWARDED_FOR": "1"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUST_X_FORWARDED_FOR": "1", "TRUSTED_PROXIES": "10.0.0.0/8, not-a-network"})
    s = Settings.from_env({"TRUST_X_FORWARDED_FOR": "1", "TRUSTED_PROXIES": "10.0.0.0/8, ::1"})
    assert [str(n) for n in s.trusted_proxies] == ["10.0.0.0/8", "::1/128"]
    assert Settings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8"}).trusted_proxies == ()  # the switch is off
    with pytest.raises(ConfigError, match="METRICS_TOKEN"):
        Settings.from_env({"METRICS_TOKEN": "short"})


def test_gc_thresholds_default_and_setting() -> None:
    assert Settings.from_env({}).gc_thresholds == (50_000, 50, 1_000)
    assert Settings.from_env({"GC_THRESHOLDS": "700,10,10"}).gc_thresholds == (700, 10, 10)
    for bad in ("700,10", "a,b,c", "-1,10,10"):
        with pytest.raises(ConfigError, match="GC_THRESHOLDS"):
            Settings.from_env({"GC_THRESHOLDS": bad})
