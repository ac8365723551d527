"""Limits that hold behind a reverse proxy: the client's address, login lockout, tracking-code guessing."""

import pytest
from django.test import Client

from liaison.lib.proxies import client_address
from liaison.opinions import services
from liaison.opinions.models import Opinion
from tests.cast import PASSWORD
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"


def test_it_believes_forwarded_addresses_only_from_a_trusted_proxy():
    trusted = ("10.0.0.0/24",)
    via_proxy = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
    # The client's own "6.6.6.6" is to the left of what our proxy saw: the proxy's view wins.
    assert client_address(via_proxy, trusted) == "203.0.113.7"
    assert client_address(via_proxy, ()) == PROXY
    direct = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}
    assert client_address(direct, trusted) == "198.51.100.9"
    chain = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.9"}
    assert client_address(chain, trusted) == "203.0.113.7"
    garbled = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7, not-an-ip"}
    assert client_address(garbled, trusted) == PROXY


def _through_proxy(client_ip):
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_locks_an_account_whatever_address_the_guesses_come_from(cast, settings):
    settings.LIAISON_TRUSTED_PROXIES = ["10.0.0.0/24"]
    for i in range(5):
        _login(_through_proxy(f"203.0.113.{i + 1}"), cast.staff.username, "wrong")
    owner = _through_proxy("198.51.100.50")
    response = _login(owner, cast.staff.username, PASSWORD)
    assert response.status_code in (403, 429) and "锁定" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_it_locks_a_guessing_address_but_not_the_users_behind_other_addresses(cast, settings):
    settings.LIAISON_TRUSTED_PROXIES = ["10.0.0.0/24"]
    guesser = "203.0.113.66"
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(_through_proxy(guesser), name, "wrong")
    locked = _login(_through_proxy(guesser), cast.officer.username, PASSWORD)
    assert "锁定" in locked.content.decode() and not locked.wsgi_request.user.is_authenticated
    # Everyone comes through the same proxy: the others are not locked with the guesser.
    fine = _login(_through_proxy("198.51.100.7"), cast.officer.username, PASSWORD)
    assert fine.status_code == 302 and fine.wsgi_request.user.is_authenticated


def test_it_ignores_a_forged_forwarded_header_without_a_trusted_proxy(cast, settings):
    settings.LIAISON_TRUSTED_PROXIES = []
    for i in range(5):
        _login(Client(REMOTE_ADDR="203.0.113.80", HTTP_X_FORWARDED_FOR=f"1.1.1.{i}"), f"x{i}", "wrong")
    # The forged header did not spread the guesses: the real address is locked.
    response = _login(
        Client(REMOTE_ADDR="203.0.113.80", HTTP_X_FORWARDED_FOR="9.9.9.9"), cast.officer.username, PASSWORD
    )
    assert "锁定" in response.content.decode()


def test_it_lets_the_resident_in_after_strangers_guessed_the_code(cast, settings):
    settings.LIAISON_TRUSTED_PROXIES = ["10.0.0.0/24"]
    opinion, password = make_opinion(cast)
    limit = services.LOOKUP_LIMIT_PER_CODE[0]
    for i in range(limit):
        wrong = _through_proxy(f"203.0.113.{i + 1}").post("/track/", {"code": opinion.code, "password": "000000"})
        assert "查询码或查询密码不正确" in wrong.content.decode()
    # A guesser who already failed on this code waits; the resident's own phone gets in.
    again = _through_proxy("203.0.113.1").post("/track/", {"code": opinion.code, "password": "111111"})
    assert again.status_code == 429 and "次数过多" in again.content.decode()
    resident = _through_proxy("198.51.100.20")
    response = resident.post("/track/", {"code": opinion.code, "password": password})
    assert response.status_code == 302 and response["Location"].endswith(f"/track/{opinion.code}/")
    assert resident.get(f"/track/{opinion.code}/").status_code == 200
    assert Opinion.objects.get(pk=opinion.pk).code == opinion.code
