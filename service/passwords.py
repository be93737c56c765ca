"""Password hashing for personal accounts: argon2id, at OWASP's parameters.

argon2id with 46 MiB of memory, one pass and one lane (the first of the
configurations OWASP's Password Storage Cheat Sheet gives as its minimum):
about 45 ms a check here, and a stolen table of hashes costs a guesser 46 MiB
for every guess. Hashes made before (scrypt with N=2^14, which is below
OWASP's minimum for scrypt) are still checked, and `needs_rehash` tells the
sign-in to store the password again under today's parameters; argon2 hashes
name their parameters, so raising them later works the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MINIMUM_LENGTH = 10
_HASHER = PasswordHasher(time_cost=1, memory_cost=47_104, parallelism=1, hash_len=32,
                         salt_len=16, type=Type.ID)
_ARGON2 = "$argon2id$"
# Hashes written by earlier versions: "scrypt$N$r$p$salt$digest".
_SCRYPT = "scrypt"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def check_password(password: str, stored: str) -> bool:
    if stored.startswith(_ARGON2):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    return _check_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """Whether a hash that just opened its account should be replaced by one
    made with today's algorithm and parameters."""
    if not stored.startswith(_ARGON2):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def decoy() -> str:
    """A hash to check against when no account has the address, so that a
    wrong address takes as long to refuse as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _check_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != _SCRYPT:
            return False
        found = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(_unb64(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found, _unb64(digest))


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
