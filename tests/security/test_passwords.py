"""The password policy (AUTH_PASSWORD_VALIDATORS) and the forced change of a password an administrator set."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from liaison.demo.cast import ACCOUNTS, DEMO_PASSWORD, create_account
from liaison.org.models import User
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def refusal(password, user=None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def test_it_refuses_short_and_simple_passwords_in_chinese():
    assert "至少要包含 10 个字符" in refusal("Ab1!xyz")
    assert "至少 3 类" in refusal("abcdefghijkl")
    assert "至少 3 类" in refusal("abcdefgh1234")
    assert refusal("Liaison@2026") == ""  # the demo's password passes the policy
    assert refusal("Qingshan-river7") == ""  # upper, lower, symbol, digit


def test_it_refuses_the_last_five_passwords_but_not_an_older_one(cast):
    user = cast.staff
    used = [f"Spring-{i}-Water" for i in range(6)]
    for password in used:
        assert refusal(password, user) == "", password
        user.set_password(password)
        user.save()
    for password in used[1:]:
        assert "最近 5 次" in refusal(password, user), password
    assert refusal(used[0], user) == ""  # six changes ago: allowed again
    assert refusal(PASSWORD, user) == ""  # the cast's first password is older still


def test_it_refuses_reuse_on_the_password_change_page(cast, client_for):
    client = client_for(cast.staff)
    page = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert page.status_code == 200 and "最近 5 次" in page.content.decode()
    done = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "Autumn-Hill-42", "new_password2": "Autumn-Hill-42"},
        follow=True,
    )
    assert "密码已修改" in done.content.decode() and done.wsgi_request.user.is_authenticated
    cast.staff.refresh_from_db()
    assert cast.staff.check_password("Autumn-Hill-42")


def _admin_creates(client, username, password):
    return client.post(
        "/admin/org/user/add/",
        {
            "username": username,
            "usable_password": "true",
            "password1": password,
            "password2": password,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "_save": "保存",
        },
    )


def test_it_makes_an_account_the_admin_created_change_its_password_first(cast, client_for, client):
    response = _admin_creates(client_for(cast.admin), "new_officer", "Initial-Pass-2026")
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new_officer")
    assert user.must_change_password

    client.post("/accounts/login/", {"username": "new_officer", "password": "Initial-Pass-2026"})
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == "/accounts/password/"
    assert "请先修改密码" in home.content.decode()
    assert client.get("/opinions/").url == "/accounts/password/"
    assert client.get("/api/v1/me").status_code == 403
    client.post(
        "/accounts/password/",
        {"old_password": "Initial-Pass-2026", "new_password1": "My-Own-Pass-77", "new_password2": "My-Own-Pass-77"},
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/").status_code == 200


def test_it_makes_a_user_whose_password_the_admin_reset_change_it(cast, client_for):
    admin = client_for(cast.admin)
    url = f"/admin/org/user/{cast.head.pk}/password/"
    refused = admin.post(url, {"usable_password": "true", "password1": "short", "password2": "short"})
    assert refused.status_code == 200
    cast.head.refresh_from_db()
    assert not cast.head.must_change_password  # a refused form changes nothing
    admin.post(url, {"usable_password": "true", "password1": "Reset-By-Admin-9", "password2": "Reset-By-Admin-9"})
    cast.head.refresh_from_db()
    assert cast.head.must_change_password and cast.head.check_password("Reset-By-Admin-9")
    # An administrator setting their own password there is not forced to change it again.
    admin.post(
        f"/admin/org/user/{cast.admin.pk}/password/",
        {"usable_password": "true", "password1": "Admin-Own-Pass-9", "password2": "Admin-Own-Pass-9"},
    )
    cast.admin.refresh_from_db()
    assert not cast.admin.must_change_password


def test_it_lets_the_demo_accounts_in_with_the_readme_password(cast, client):
    create_account(ACCOUNTS["city_staff"], username="demo_city", password=DEMO_PASSWORD, scope=cast.city)
    client.post("/accounts/login/", {"username": "demo_city", "password": DEMO_PASSWORD})
    assert client.get("/").status_code == 200
    assert not User.objects.get(username="demo_city").must_change_password


def test_it_lets_a_user_who_must_change_sign_out(cast, client_for):
    User.objects.filter(pk=cast.officer.pk).update(must_change_password=True)
    client = client_for(cast.officer)
    assert client.get("/").status_code == 302
    assert client.post("/accounts/logout/").url == "/accounts/login/"
    assert client.get("/").url.startswith("/accounts/login/")
