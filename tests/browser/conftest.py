"""Browser tests: Debian's Chromium driven by Playwright, against the session's real server.

The apps must be built (``npm ci && npm run build`` in client_web/) before the server starts, since it
serves client_web/dist; ``built_apps`` builds them when dist/ is missing or older than the sources and
node_modules is present.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.support import ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
CLIENT = ROOT / "client_web"


def _stale(dist: Path) -> bool:
    """Missing, or older than a source file: browser tests against an old build would test old code."""
    built = [dist / "index.html", dist / "widget.js"]
    if not all(p.is_file() for p in built):
        return True
    sources = [p for p in (CLIENT / "src").rglob("*") if p.is_file()]
    sources += [p for p in CLIENT.glob("*.*") if p.is_file() and p.suffix in {".html", ".ts", ".json"}]
    return max(p.stat().st_mtime for p in sources) > min(p.stat().st_mtime for p in built)


@pytest.fixture(scope="session")
def built_apps() -> Path:
    dist = CLIENT / "dist"
    if _stale(dist):
        npm = shutil.which("npm")
        if npm is None or not (CLIENT / "node_modules").is_dir():
            pytest.fail("client_web is not built: run `npm ci && npm run build` in client_web/")
        subprocess.run([npm, "run", "build"], cwd=CLIENT, check=True, capture_output=True)
    return dist


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    return CHROMIUM


@pytest.fixture
async def browser(built_apps: Path, chromium_path: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
