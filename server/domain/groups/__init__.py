"""Peer-led support groups (issue 14): scheduled or drop-in sessions led by a trained facilitator.

A group session keeps every promise of the one-to-one chat: each member's words go through the same
detector with that member's own window, a member at risk gets resources privately while the
facilitators and supervisors are told; every acknowledged message is stored with the session's
``seq`` and can be resumed; members see aliases only. Where the parts live:

* ``server/domain/groups/rules.py``    — what a valid alias, capacity and length are
* ``server/domain/groups/service.py``  — the rules applied: create, join, post, moderate, leave, erase, invite
* ``server/domain/groups/relay.py``    — delivery in ``seq`` order on every process
* ``server/store/groups.py``           — every SQL statement the groups need (migration 0005), a session's clock
* ``server/edge/gateway/groups.py``    — the ``/groups`` Socket.IO namespace; ``group_payloads.py`` its payloads
* ``server/edge/group_routes.py``      — ``GET /api/group-sessions``
* ``server/group_commands.py``         — ``python -m server group ...`` for operators
"""
