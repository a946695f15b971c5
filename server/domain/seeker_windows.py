"""The detector's window of recent seeker messages, kept in this process per open conversation.

Every seeker message is assessed together with the seeker's previous few messages. Reading them
from PostgreSQL costs a round trip (and a decryption each) before the message itself is written;
kept here, a seeker message costs one statement. The copy is never trusted blindly: each entry
carries the ``seq`` of the newest seeker message it holds, and the statement that stores the next
message writes only if that is still the newest one in PostgreSQL. When another process stored a
message for the same seeker meanwhile (a reconnect landed elsewhere) or this process restarted, the
window is rebuilt from PostgreSQL and the message assessed again, so a verdict is never taken on a
window that misses one of the seeker's words.

Bounded (least recently used out first), so it cannot grow the heap without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

DEFAULT_CAPACITY = 10_000


@dataclass(frozen=True, slots=True)
class SeekerWindow:
    """The seeker's last messages, oldest first, and the seq of the newest (0 when there is none)."""

    texts: tuple[str, ...]
    newest_seq: int

    def then(self, text: str, seq: int, size: int) -> SeekerWindow:
        """This window after the seeker's next message, still at most ``size`` messages long."""
        texts = (*self.texts, text)
        return SeekerWindow(texts[-size:] if size > 0 else (), seq)


class SeekerWindows:
    def __init__(self, size: int, capacity: int = DEFAULT_CAPACITY) -> None:
        self.size = size  # messages kept: the detector's window less the new message
        self._capacity = capacity
        self._windows: OrderedDict[str, SeekerWindow] = OrderedDict()

    def get(self, conversation_id: str) -> SeekerWindow | None:
        window = self._windows.get(conversation_id)
        if window is not None:
            self._windows.move_to_end(conversation_id)
        return window

    def put(self, conversation_id: str, window: SeekerWindow) -> None:
        self._windows[conversation_id] = window
        self._windows.move_to_end(conversation_id)
        while len(self._windows) > self._capacity:
            self._windows.popitem(last=False)

    def stored(self, conversation_id: str, before: SeekerWindow, text: str, seq: int | None) -> None:
        """The seeker's message was stored with ``seq`` on top of ``before``."""
        if seq is None:
            self.forget(conversation_id)
            return
        self.put(conversation_id, before.then(text, seq, self.size))

    def forget(self, conversation_id: str) -> None:
        self._windows.pop(conversation_id, None)

    def __len__(self) -> int:
        return len(self._windows)
