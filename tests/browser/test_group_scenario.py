"""A support group evening in three browsers: a seeker joins from the widget under an alias, the facilitator
moderates from the listener console, a crisis message brings the supervisor's alert and a private invitation."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import open_page, serious_axe_violations, staff_login
from tests.groups_support import join, make_facilitator, seeker_client
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

CRISIS = "i am going to kill myself tonight, the pills are ready"
PASSWORD = "correct horse battery"


@pytest.mark.parametrize("width", [1280, 375])
async def test_a_group_evening(
    browser: Browser, live_server: ServerProcess, backends, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    await make_facilitator(backends.database_url, "fran", display_name="Fran")
    await create_user(backends.database_url, "sam", PASSWORD, "supervisor", display_name="Sam")
    await create_user(backends.database_url, "lee", PASSWORD, "listener", display_name="Lee", topics=("recovery",))

    # the facilitator creates nothing by hand: an operator made the group; they start a drop-in and open the room
    from tests.support import run_cli

    made = run_cli(live_server.env, "group", "add", "Recovery circle", "--topic", "recovery", "--facilitators", "fran",
                   "--guidelines", "Be kind. What is said here stays here.")  # fmt: skip
    assert made.returncode == 0, made.stderr
    facilitator = await open_page(browser, base, width=width, bypass_csp=True)
    await staff_login(facilitator.page, base, "/listener", "fran", PASSWORD)
    panel = facilitator.page.locator("section.facilitation")
    await panel.get_by_role("button", name="Start a drop-in now for Recovery circle").click()
    await panel.get_by_role("button", name="Open the room of Recovery circle").click()
    await expect(panel.locator(".group-room")).to_contain_text("Fran")

    supervisor = await open_page(browser, base, width=width)
    await staff_login(supervisor.page, base, "/supervisor", "sam", PASSWORD)

    # the seeker finds the session in the widget and joins under an alias, after the guidelines
    seeker = await open_page(browser, base, width=width, bypass_csp=True)
    await seeker.page.goto(base + "/?topic=recovery")
    await seeker.page.get_by_role("button", name="See support groups").click()
    await seeker.page.get_by_role("button", name="Join Recovery circle").click()
    await expect(seeker.page.locator(".group-guidelines")).to_have_text("Be kind. What is said here stays here.")
    await seeker.page.get_by_label("The name others will see").fill("<b>x</b>")
    await seeker.page.get_by_label("I have read and accept the guidelines").check()
    await seeker.page.get_by_role("button", name="Join the group").click()
    await expect(seeker.page.get_by_role("alert")).to_contain_text("Choose a name")
    await seeker.page.get_by_label("The name others will see").fill("River")
    await seeker.page.get_by_role("button", name="Join the group").click()
    room = seeker.page.locator(".group-room")
    await expect(room).to_contain_text("you are “River”")
    assert await serious_axe_violations(seeker.page) == []

    # another member (a plain client) says something unkind; the facilitator deletes it for everyone
    other = await seeker_client(base)
    other_session = (await other.ok("list_sessions"))["sessions"][0]["session_id"]
    await join(other, other_session, "Lake")
    await other.ok("message", {"session_id": other_session, "client_id": "1", "text": "an unkind remark"})
    await expect(room).to_contain_text("an unkind remark")
    await panel.get_by_role("button", name="Delete the message from Lake").click()
    await panel.get_by_label("Why delete it (supervisors see this)").fill("unkind")
    await panel.get_by_role("button", name="Delete for everyone").click()
    await expect(room).to_contain_text("Removed by a facilitator.")
    await expect(room).not_to_contain_text("an unkind remark")
    await panel.get_by_role("button", name="Mute Lake").click()
    await expect(panel.locator('[data-member="Lake"]')).to_contain_text("(muted)")
    await panel.get_by_role("button", name="Pin the guidelines").click()
    await expect(seeker.page.get_by_role("note", name="Pinned guidelines")).to_contain_text("Be kind.")

    # the seeker writes; then a crisis message
    await seeker.page.get_by_label("Message to the group").fill("thank you all for being here")
    await seeker.page.get_by_role("button", name="Send").click()
    await expect(panel.locator(".group-room")).to_contain_text("thank you all for being here")
    await seeker.page.get_by_label("Message to the group").fill(CRISIS)
    await seeker.page.get_by_role("button", name="Send").click()
    await expect(seeker.page.locator("section.crisis")).to_contain_text("Only you can see this", timeout=5_000)
    risk = panel.get_by_test_id("group-risk")
    await expect(risk).to_contain_text("“River”", timeout=5_000)
    banner = supervisor.page.get_by_test_id("alert-banner")
    await expect(banner).to_contain_text("Recovery circle", timeout=5_000)
    await expect(banner).to_contain_text("River")
    assert await serious_axe_violations(facilitator.page) == []

    # the facilitator invites River to a private one-to-one; the widget offers it; a listener gets it first
    await risk.get_by_role("button", name="Invite “River” to a one-to-one").click()
    await seeker.page.get_by_role("button", name="Talk one-to-one now").click()
    listener = await open_page(browser, base, width=width)
    await staff_login(listener.page, base, "/listener", "lee", PASSWORD)
    await listener.page.get_by_role("button", name="Available").first.click()
    await expect(listener.page.locator("body")).to_contain_text("Recovery circle", timeout=10_000)
    for watched in (seeker, facilitator, supervisor, listener):
        assert watched.errors == [], watched.errors
        await watched.context.close()
    await other.close()
