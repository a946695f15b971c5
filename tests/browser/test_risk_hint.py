"""A watch-level hint in Chromium: the listener reads a quiet line, the seeker sees nothing."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import open_page, screenshot, staff_login
from tests.browser.test_first_hour import LISTENER, WIDTHS, listener_takes, start_seeker_chat
from tests.integration.test_risk_hints import WORRYING
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
async def test_the_listener_sees_a_quiet_hint_and_the_seeker_nothing(
    browser: Browser, hinting_server: ServerProcess, backends, clean_state: None, width: int
) -> None:
    base = hinting_server.base_url
    await create_user(
        backends.database_url, LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    seeker = await open_page(browser, base, width=width, height=800)
    listener = await open_page(browser, base, width=width, height=900)
    await start_seeker_chat(seeker.page, base, "Hi")
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener_takes(listener.page)
    await expect(listener.page.locator("article.chat-panel")).to_contain_text("Hi", timeout=10_000)
    box = seeker.page.get_by_label("Your message")
    await box.fill(WORRYING)
    await box.press("Enter")
    hint = listener.page.get_by_test_id("listener-hint")
    await expect(hint).to_contain_text("Consider asking directly", timeout=5_000)
    await expect(listener.page.get_by_test_id("crisis-support")).to_have_count(0)  # a hint, not a crisis card
    await expect(seeker.page.get_by_text("Consider asking directly")).to_have_count(0)
    await expect(seeker.page.get_by_test_id("crisis-panel")).to_have_count(0)
    await screenshot(listener.page, f"listener-risk-hint-{width}")
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()
