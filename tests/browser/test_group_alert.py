"""A crisis in a support group reaches the supervisor dashboard: the banner and the card say which group and
which alias, with no "Open conversation" (there is none); acknowledging works as for any escalation."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import open_page, serious_axe_violations, staff_login
from tests.groups_support import drop_in, join, make_facilitator, seeker_client, staff_client
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

CRISIS = "i am going to kill myself tonight, the pills are ready"


@pytest.mark.parametrize("width", [1280, 375])
async def test_a_group_crisis_on_the_dashboard(
    browser: Browser, live_server: ServerProcess, backends, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "sam", "supervisor-pass-1", "supervisor", display_name="Sam")
    await make_facilitator(backends.database_url, "fran")
    supervisor = await open_page(browser, base, width=width, bypass_csp=True)
    await staff_login(supervisor.page, base, "/supervisor", "sam", "supervisor-pass-1")

    fac = await staff_client(base, "fran")
    _, session_id = await drop_in(fac, title="Thursday recovery circle")
    member = await seeker_client(base)
    await join(member, session_id, "River")
    await member.ok("message", {"session_id": session_id, "client_id": "1", "text": CRISIS})

    banner = supervisor.page.get_by_test_id("alert-banner")
    await expect(banner).to_contain_text("Thursday recovery circle", timeout=5_000)
    await expect(banner).to_contain_text("River")
    card = supervisor.page.locator(".escalation--open")
    await expect(card.get_by_test_id("escalation-group")).to_have_text(
        "Support group “Thursday recovery circle” · member “River”"
    )
    await expect(card.get_by_role("button", name="Open conversation")).to_have_count(0)
    await expect(banner.get_by_role("button", name="Open conversation")).to_have_count(0)
    assert await serious_axe_violations(supervisor.page) == []
    await card.get_by_role("button", name="Acknowledge").click()
    await expect(supervisor.page.locator(".escalation--acknowledged")).to_be_visible()
    await expect(banner).to_have_count(0)
    assert supervisor.errors == []
    for c in (fac, member):
        await c.close()
    await supervisor.context.close()
