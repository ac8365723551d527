import pytest

from liaison.org.models import User
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_it_hashes_passwords_with_argon2(settings):
    import liaison.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = User.objects.create_user(username="someone", password=PASSWORD)
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


def test_it_locks_out_after_repeated_failed_logins(cast, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": cast.staff.username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": cast.staff.username, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "锁定" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_it_sends_a_content_security_policy_and_needs_csrf(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    denied = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert denied.status_code == 403


def test_it_marks_session_cookies_secure_outside_debug():
    import liaison.settings as production

    assert production.DEBUG is False
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
