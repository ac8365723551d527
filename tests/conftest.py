import pytest
from django.test import Client

from tests.cast import make_cast


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher; tests use a fast one so the cast is cheap to build.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFY_PROVIDERS = ["console"]


@pytest.fixture
def cast(db):
    return make_cast()


@pytest.fixture
def client_for():
    """client_for(user) → a logged-in test client."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
