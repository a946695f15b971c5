"""Who talks to whom: the waiting queue, listener presence and load, and the pairing policy.

All Redis key names and Lua scripts live here (``keys.py`` and ``scripts/``), so nothing else in
the service depends on how the index is laid out.
"""
