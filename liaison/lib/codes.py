"""Public identifiers: tracking codes (一事一码) and query passwords. Never sequential database ids."""

import secrets

# Crockford-style alphabet without 0/O, 1/I/L, U: easy to read aloud on the phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_code(prefix: str = "", length: int = 8) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_query_password(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def normalise_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())
