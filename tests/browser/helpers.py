"""Shared steps for the browser tests: pages that record CSP violations and script errors, staff sign-in,
keyboard navigation, accessibility audits."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.support import ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "client_web" / "node_modules" / "axe-core" / "axe.min.js"
NEUTRAL_URL = "https://www.google.com/"
NEUTRAL_HTML = "<!doctype html><title>Google</title><p>Search</p>"

# Runs before any page script (injected by the browser, not subject to the page's CSP): records CSP
# violations and marks any script that a payload might smuggle in.
_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@dataclass
class Watched:
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    async def csp_violations(self) -> list[str]:
        found: list[str] = []
        for frame in self.page.frames:
            try:
                found += await frame.evaluate("() => window.__csp || []")
            except Exception:  # a frame that navigated away meanwhile
                continue
        return found

    async def assert_clean(self) -> None:
        assert await self.csp_violations() == []
        assert self.errors == []
        assert self.external_requests == []


async def open_page(
    browser: Browser,
    base_url: str,
    *,
    width: int = 1280,
    height: int = 900,
    bypass_csp: bool = False,
) -> Watched:
    context = await browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
    await context.add_init_script(_WATCH)
    page = await context.new_page()
    watched = Watched(context, page)
    page.on("pageerror", lambda exc: watched.errors.append(str(exc)))

    def on_request(request: Any) -> None:
        url = request.url
        if not url.startswith((base_url, "data:", "blob:", "about:")) and not url.startswith(NEUTRAL_URL):
            watched.external_requests.append(url)

    context.on("request", on_request)
    # Quick exit sends the page to a neutral site; serve a stand-in (this machine has no internet).
    await context.route(NEUTRAL_URL + "**", lambda route: route.fulfill(content_type="text/html", body=NEUTRAL_HTML))
    return watched


async def staff_login(page: Page, base_url: str, path: str, username: str, password: str) -> None:
    await page.goto(base_url + path)
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator(".connection")).to_have_attribute("data-connection", "online", timeout=10_000)


async def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has focus (keyboard-only use)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"could not reach {selector} with the keyboard")


async def serious_axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (needs a context with bypass_csp)."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ['violations'] });
            return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def screenshots_wanted() -> bool:
    """Screenshots in docs/screenshots/ are tracked files: an ordinary test run must leave them alone, so
    they are (re)written only when someone asks for it with ``PEERLINE_SCREENSHOTS=1``."""
    return os.environ.get("PEERLINE_SCREENSHOTS") == "1"


async def screenshot(page: Page, name: str) -> Path | None:
    if not screenshots_wanted():
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=False)
    return path


async def storage_of(page: Page) -> dict[str, Any]:
    return json.loads(
        await page.evaluate(
            "() => JSON.stringify({session: Object.keys(sessionStorage), local: Object.keys(localStorage),"
            " cookies: document.cookie})"
        )
    )


def host_page(base_url: str, topic: str = "veterans") -> str:
    """An embedder's page: one script tag, nothing else."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Veterans' association</title></head>"
        "<body><main><h1>Veterans' association</h1><p>News and events for our members.</p></main>"
        f"<script src='{base_url}/widget.js' data-topic='{topic}' defer></script></body></html>"
    )
