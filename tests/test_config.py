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


def test_the_readme_table_states_the_defaults_the_code_has() -> None:
    """Each default is written once (on the ``Settings`` field); the README's table must agree with it."""
    import re
    from dataclasses import fields

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    settings = Settings.from_env({})
    names = {f.name for f in fields(Settings)}
    checked = 0
    for row in table.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        variables = re.findall(r"`([A-Z_]+)`", cells[0])
        values = re.findall(r"`([^`]+)`", cells[1])
        if len(variables) != len(values):
            continue
        for variable, value in zip(variables, values, strict=True):
            name = variable.lower()
            actual = getattr(settings, name, None) if name in names else None
            if isinstance(actual, bool):
                assert actual == (value == "on"), variable
            elif isinstance(actual, int | float):
                assert float(value) == actual, variable
            elif isinstance(actual, str):
                assert value == actual, variable
            else:
                continue
            checked += 1
    assert checked >= 20
