"""Peer-led support groups (issue 14): scheduled or drop-in sessions led by a trained facilitator.

A group session keeps every promise of the one-to-one chat: each member's words go through the same
detector with that member's own window, a member at risk gets resources privately while the
facilitators and supervisors are told; every acknowledged message is stored with the session's
``seq`` and can be resumed; members see aliases only. The parts:

* ``rules``      — what a valid alias, capacity and session time are; the session's state from its row
* ``store``      — every SQL statement the groups need (the tables of migration 0005)
* ``service``    — the rules applied: create, join, post, moderate, leave, erase (no socket imports)
* ``namespace``  — the ``/groups`` Socket.IO namespace: validate, call the service, answer
* ``payloads``   — the typed client payloads
* ``admin``      — ``python -m server group ...`` for operators
"""
