"""Message bodies encrypted at rest (AES-256-GCM) when ``MESSAGE_KEY`` is set, with key rotation.

A sealed body is ``enc:v1:<key id>:<base64(nonce || ciphertext)>``; plain text that itself begins
with ``enc:`` or ``raw:`` is stored as ``raw:`` + text, so nobody can make a message look sealed.
The key id says which key opens it, so old keys (``MESSAGE_KEYS_OLD``) keep old rows readable until ``python -m server
rotate-keys`` re-seals them with the current key. The conversation id is the associated data, so
a sealed body copied into another conversation does not open. Without a key, text is stored as is.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc:v1:"
RAW = "raw:"


class KeyError_(ValueError):
    """A key setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class MessageCipher:
    current_id: str | None
    keys: dict[str, AESGCM]

    def seal(self, text: str, conversation_id: str) -> str:
        if self.current_id is None:
            return RAW + text if text.startswith((PREFIX[:4], RAW)) else text
        nonce = os.urandom(12)
        sealed = self.keys[self.current_id].encrypt(nonce, text.encode(), conversation_id.encode())
        return f"{PREFIX}{self.current_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, stored: str, conversation_id: str) -> str:
        if stored.startswith(RAW):
            return stored[len(RAW) :]
        if not stored.startswith(PREFIX):
            return stored  # plain (written without a key)
        key_id, _, body = stored[len(PREFIX) :].partition(":")
        key = self.keys.get(key_id)
        if key is None:
            raise KeyError_(f"message sealed with unknown key id {key_id!r}; add it to MESSAGE_KEYS_OLD")
        raw = base64.b64decode(body)
        try:
            return key.decrypt(raw[:12], raw[12:], conversation_id.encode()).decode()
        except InvalidTag:
            raise KeyError_(f"message does not open with key {key_id!r}") from None

    def needs_rotation(self, stored: str) -> bool:
        return self.current_id is not None and not stored.startswith(f"{PREFIX}{self.current_id}:")


def _parse(spec: str, setting: str) -> tuple[str, AESGCM]:
    key_id, sep, encoded = spec.strip().partition(":")
    if not sep or not key_id or not key_id.isalnum():
        raise KeyError_(f"{setting}: expected KEYID:BASE64KEY (key id letters and digits)")
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise KeyError_(f"{setting}: the key is not valid base64") from None
    if len(key) != 32:
        raise KeyError_(f"{setting}: the key must be 32 bytes (base64 of 32 random bytes)")
    return key_id, AESGCM(key)


def build_cipher(current: str | None, old: str | None) -> MessageCipher:
    keys: dict[str, AESGCM] = {}
    current_id = None
    if current:
        current_id, aead = _parse(current, "MESSAGE_KEY")
        keys[current_id] = aead
    for spec in (old or "").split(","):
        if spec.strip():
            key_id, aead = _parse(spec, "MESSAGE_KEYS_OLD")
            keys.setdefault(key_id, aead)
    return MessageCipher(current_id, keys)


def new_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


# The process's cipher, configured once at start-up (server.cli) before any query runs.
_cipher = MessageCipher(None, {})


def configure(cipher: MessageCipher) -> None:
    global _cipher
    _cipher = cipher


def cipher() -> MessageCipher:
    return _cipher
