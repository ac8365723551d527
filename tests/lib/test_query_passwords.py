"""Query passwords: a keyed hash that a leaked table alone cannot be searched with (liaison/lib/codes.py)."""

from django.contrib.auth.hashers import make_password

from liaison.lib.codes import check_query_password, hash_query_password


def test_a_query_password_verifies_and_only_the_right_one(settings):
    encoded = hash_query_password("204816")
    assert encoded.startswith("lzq1$") and "204816" not in encoded
    assert check_query_password("204816", encoded)
    assert not check_query_password("204817", encoded) and not check_query_password("", encoded)
    assert hash_query_password("204816") != encoded  # salted: equal passwords do not give equal rows


def test_without_the_servers_key_the_hash_does_not_verify(settings):
    encoded = hash_query_password("204816")
    settings.SECRET_KEY = "another-server-" * 4
    assert not check_query_password("204816", encoded)
    settings.SECRET_KEY_FALLBACKS = []  # nothing kept: still refused
    assert not check_query_password("204816", encoded)


def test_a_rotated_key_kept_as_fallback_still_verifies(settings):
    old = settings.SECRET_KEY
    encoded = hash_query_password("204816")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" * 6, [old]
    assert check_query_password("204816", encoded)


def test_older_slow_hashes_still_verify():
    legacy = make_password("204816")  # what the site stored before (Argon2 in production)
    assert check_query_password("204816", legacy) and not check_query_password("000000", legacy)
