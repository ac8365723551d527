import os

import pytest
from django.test import Client
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings

from tests.cast import make_cast

# Property tests: reproducible (derandomised) and bounded, so the suite stays fast; in CI a failure is
# reported without the (sometimes minutes-long) shrinking phase.
hypothesis_settings.register_profile(
    "liaison",
    max_examples=30,
    deadline=None,
    derandomize=True,
    phases=[p for p in Phase if not (os.environ.get("CI") and p == Phase.shrink)],
)
hypothesis_settings.load_profile("liaison")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # `make mutation` runs pytest once per mutant: there (LIAISON_TEST_DB_FILE set, with --reuse-db) the SQLite
    # test database is a file migrated once and kept between those runs, not an in-memory one migrated each time.
    path = os.environ.get("LIAISON_TEST_DB_FILE")
    if path:
        from django.conf import settings

        db = settings.DATABASES["default"]
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.setdefault("TEST", {})["NAME"] = path


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher; tests use a fast one so the cast is cheap to build.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFY_PROVIDERS = ["console"]


@pytest.fixture(autouse=True)
def _plain_static_names(settings):
    # Production hashes static names from collectstatic's manifest; tests (and mutmut's copies) run without
    # collectstatic, so pages link the plain names. tests/core/test_static_files.py checks the manifest storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_insight(settings, tmp_path):
    # Each test gets an empty insight directory and a fresh in-process similarity index.
    from django.core.cache import cache

    from liaison.insight import services

    cache.clear()
    settings.INSIGHT_DIR = tmp_path / "insight"
    services.SITE_INDEX.reset()
    services.reset_categoriser()


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
