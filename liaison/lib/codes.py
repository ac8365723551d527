"""Public identifiers: tracking codes (一事一码) and query passwords. Never sequential database ids.

Query passwords are six digits: a million possibilities, so no slow hash protects them once the table leaks (a
million Argon2 guesses is an afternoon on a GPU), while one Argon2 hash per submission cost a second of CPU and
capped intake at two submissions a second per core. They are therefore stored as a keyed hash — HMAC-SHA256 over
a random salt and the password, under a key derived from the server's SECRET_KEY, which is kept outside the
database and its backups — so a leaked table alone cannot be searched at all, and online guessing is what the
lookup throttle (liaison/opinions/services/lookup.py) bounds. Older Argon2 hashes still verify. SECRET_KEY
rotation: keep the old key in SECRET_KEY_FALLBACKS until the items it signed are closed. docs/SECURITY.md.
"""

import hmac
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.utils.crypto import salted_hmac

# Crockford-style alphabet without 0/O, 1/I/L, U: easy to read aloud on the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(prefix: str = "", length: int = 8) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_query_password(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


QUERY_HASH_PREFIX = "lzq1$"
_QUERY_KEY_SALT = "liaison.opinions.query-password"


def _query_mac(salt: str, password: str, secret: str) -> str:
    return salted_hmac(_QUERY_KEY_SALT, f"{salt}${password}", secret=secret, algorithm="sha256").hexdigest()


def hash_query_password(password: str) -> str:
    salt = secrets.token_hex(8)
    return f"{QUERY_HASH_PREFIX}{salt}${_query_mac(salt, password, settings.SECRET_KEY)}"


def check_query_password(password: str, encoded: str) -> bool:
    if not password or not encoded:
        return False
    if not encoded.startswith(QUERY_HASH_PREFIX):
        return check_password(password, encoded)  # an older (Argon2) hash
    salt, _sep, digest = encoded[len(QUERY_HASH_PREFIX) :].partition("$")
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_query_mac(salt, password, key), digest) for key in keys)
