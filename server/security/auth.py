"""Tokens and passwords.

HS256 is pinned on decode (no ``alg: none``, no algorithm confusion); every token carries
``exp``/``iat``/``jti`` so it can expire and be revoked; the role in the token decides the one
Socket.IO namespace it can open.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.vocabulary import Role

ALGORITHM = "HS256"
ROLES = tuple(Role)

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("peerline-no-such-user")


class InvalidToken(Exception):
    """The token cannot be trusted; deliberately without detail for the client."""


@dataclass(frozen=True, slots=True)
class Claims:
    subject: str
    role: str
    token_id: str
    issued_at: int
    expires_at: int


class TokenIssuer:
    def __init__(self, secret: str) -> None:
        self._secret = secret

    def issue(self, subject: str, role: str, ttl_s: int) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        now = int(time.time())
        payload = {"sub": subject, "role": role, "iat": now, "exp": now + ttl_s, "jti": uuid.uuid4().hex}
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def decode(self, token: object) -> Claims:
        if not isinstance(token, str) or not token or len(token) > 4096:
            raise InvalidToken
        try:
            data = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub", "jti"]},
            )
        except jwt.PyJWTError:
            raise InvalidToken from None
        role = data.get("role")
        sub = data.get("sub")
        if role not in ROLES or not isinstance(sub, str):
            raise InvalidToken
        try:
            uuid.UUID(sub)
        except ValueError:
            raise InvalidToken from None
        return Claims(sub, role, str(data["jti"]), int(data["iat"]), int(data["exp"]))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time: an unknown user still costs one argon2 verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False
