"""axe-core finds no serious or critical violation on the three apps, signed out and in use."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import open_page, screenshot, serious_axe_violations, staff_login
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser


async def test_no_serious_axe_violations(browser: Browser, live_server: ServerProcess, clean_state: None) -> None:
    base = live_server.base_url
    db = live_server.env["DATABASE_URL"]
    await create_user(db, "ana", "listener-pass-3", "listener", topics=("talk",), display_name="Ana")
    await create_user(db, "sol", "supervisor-pass-3", "supervisor", display_name="Sol")
    # axe is injected as an inline script, so these contexts bypass the CSP (the other tests keep it).
    seeker = await open_page(browser, base, width=320, height=700, bypass_csp=True)
    listener = await open_page(browser, base, bypass_csp=True)
    supervisor = await open_page(browser, base, bypass_csp=True)
    found: dict[str, list[dict[str, object]]] = {}

    await seeker.page.goto(base + "/")
    await expect(seeker.page.get_by_role("button", name="Start chat")).to_be_enabled()
    found["seeker intro"] = await serious_axe_violations(seeker.page)
    await listener.page.goto(base + "/listener")
    found["listener sign-in"] = await serious_axe_violations(listener.page)
    await supervisor.page.goto(base + "/supervisor")
    found["supervisor sign-in"] = await serious_axe_violations(supervisor.page)

    await seeker.page.get_by_label("What's on your mind? (optional)").fill("hello")
    await seeker.page.get_by_role("button", name="Start chat").click()
    await expect(seeker.page.get_by_test_id("queue-status")).to_be_visible(timeout=10_000)
    found["seeker waiting"] = await serious_axe_violations(seeker.page)

    await staff_login(supervisor.page, base, "/supervisor", "sol", "supervisor-pass-3")
    await staff_login(listener.page, base, "/listener", "ana", "listener-pass-3")
    await expect(listener.page.get_by_role("button", name="Take next")).to_be_enabled(timeout=10_000)
    found["listener queue"] = await serious_axe_violations(listener.page)
    await listener.page.get_by_role("button", name="Take next").click()
    await expect(seeker.page.get_by_role("heading", name="Chatting with Ana")).to_be_visible(timeout=10_000)
    await seeker.page.get_by_label("Your message").fill("I want to kill myself tonight")
    await seeker.page.get_by_label("Your message").press("Enter")
    await expect(seeker.page.get_by_test_id("crisis-panel")).to_be_visible(timeout=5_000)
    found["seeker chat with crisis panel"] = await serious_axe_violations(seeker.page)
    assert await seeker.page.evaluate("() => document.documentElement.scrollWidth") <= 320
    await screenshot(seeker.page, "seeker-crisis-320px")

    await expect(listener.page.locator("article.chat-panel")).to_contain_text("kill myself")
    await expect(listener.page.get_by_test_id("crisis-support")).to_be_visible(timeout=5_000)
    found["listener chat"] = await serious_axe_violations(listener.page)
    await supervisor.page.locator(".escalation--open").get_by_role("button", name="Open conversation").click()
    await expect(supervisor.page.locator("article.watch")).to_contain_text("kill myself")
    found["supervisor dashboard"] = await serious_axe_violations(supervisor.page)

    await seeker.page.goto(base + "/?embed=1&topic=talk")
    found["seeker embedded panel"] = await serious_axe_violations(seeker.page)

    assert {name: v for name, v in found.items() if v} == {}
    for watched in (seeker, listener, supervisor):
        await watched.context.close()
