"""Learning from the floor: supervisors' resolutions become training rows, and training takes them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import ROOT, Client, create_user, login, run_cli, run_escalation, seeker_token

CRISIS = "i am going to kill myself tonight, the pills are ready"
MISSED = "i did the thing with the blade again, it's bleeding through the towel"


async def test_resolutions_export_as_training_rows_and_train_with_extra(live_server, backends, tmp_path: Path) -> None:
    base = live_server.base_url
    await create_user(backends.database_url, "lee", role="listener")
    await create_user(backends.database_url, "sam", role="supervisor")
    listener = await Client(base, "/listener", await login(base, "lee")).connect()
    supervisor = await Client(base, "/supervisor", await login(base, "sam")).connect()
    await listener.ok("set_status", {"status": "available"})

    first = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid = (await first.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned")
    await first.ok("message", {"conversation_id": cid, "client_id": "a", "text": "hello there"})
    await first.ok("message", {"conversation_id": cid, "client_id": "b", "text": CRISIS})
    raised = await supervisor.wait_for("escalation", timeout=2.0)
    await supervisor.ok("resolve", {"escalation_id": raised["escalation_id"], "outcome": "false_alarm", "note": ""})

    second = await Client(base, "/seeker", await seeker_token(base)).connect()
    cid2 = (await second.ok("request_chat", {"topic": "talk", "language": "en"}))["conversation_id"]
    await listener.wait_for("assigned", lambda a: a["conversation"]["conversation_id"] == cid2)
    await second.ok("message", {"conversation_id": cid2, "client_id": "c", "text": MISSED})
    manual = await listener.ok(
        "escalate", {"conversation_id": cid2, "reason": "she is hurting herself", "category": "self_harm"}
    )
    await supervisor.ok("resolve", {"escalation_id": manual["escalation_id"], "outcome": "referred", "note": ""})

    out = tmp_path / "floor.jsonl"
    done = run_cli(live_server.env, "export-labels", str(out))
    assert done.returncode == 0, done.stderr
    assert "wrote 2 training rows" in done.stdout
    assert CRISIS not in done.stdout + done.stderr and MISSED not in done.stdout + done.stderr
    assert out.stat().st_mode & 0o077 == 0  # it holds seekers' words: the operator's eyes only
    rows = {r["note"]: r for r in map(json.loads, out.read_text().splitlines())}
    false_alarm = rows["detector escalation resolved as false_alarm"]
    assert false_alarm["messages"] == ["hello there", CRISIS] and false_alarm["escalate"] is False
    confirmed = rows["listener escalation resolved as referred"]
    assert confirmed["messages"] == [MISSED] and (confirmed["category"], confirmed["severity"]) == ("self_harm", "high")
    assert all(r["id"].startswith("floor-") for r in rows.values())

    later = run_cli(live_server.env, "export-labels", str(tmp_path / "none.jsonl"), "--since", "2999-01-01")
    assert later.returncode == 0 and "wrote 0 training rows" in later.stdout
    bad = run_cli(live_server.env, "export-labels", str(tmp_path / "x.jsonl"), "--since", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr

    # the floor is one more writer for training
    train_rows = (ROOT / "escalation/data/crisis_train.jsonl").read_text().splitlines()
    small = tmp_path / "small.jsonl"
    subset = [line for line in train_rows if '"id": "ta-' in line or '"id": "tb-' in line][::20]
    small.write_text("\n".join(subset) + "\n")
    trained = run_escalation("train", "--data", str(small), "--extra", str(out), "--out", str(tmp_path / "m.zip"))
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert f"trained on {len(subset) + 2} conversations from writers floor, ta, tb" in trained.stdout
    for client in (first, second, listener, supervisor):
        await client.close()
