"""API authentication beyond the session (liaison/api/tokens.py, services.py): personal tokens made and revoked on
/accounts/tokens/, integration keys made in the admin and limited to their region and endpoints."""

import datetime as dt
import hashlib
import json
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from liaison.api import services
from liaison.api.models import ApiToken
from liaison.lib.errors import DomainError, NotAllowed
from liaison.opinions.models import Opinion
from liaison.opinions.services import register_opinion

pytestmark = pytest.mark.django_db


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def make_token(user, **kw):
    return services.create_personal_token(
        user=user, name="脚本", expires_in_days=kw.pop("days", None), actor=user, **kw
    )


def write(client, url, body, token=None):
    headers = {"Idempotency-Key": uuid.uuid4().hex, **(bearer(token) if token else {})}
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def opinion_at(station, actor):
    return register_opinion(station=station, channel="phone", title="路灯", content="村口路灯坏了", actor=actor)[0]


# --- the page -------------------------------------------------------------------------------------------------


def test_it_shows_a_new_token_once_and_keeps_only_its_digest(cast, client_for):
    client = client_for(cast.staff)
    response = client.post("/accounts/tokens/", {"name": "村务系统同步", "expires_in_days": "90"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    (secret,) = re.findall(r"lzp_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{40,}", response.content.decode())
    row = ApiToken.objects.get()
    assert row.user == cast.staff and row.prefix in secret and row.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(list(ApiToken.objects.values()))
    assert (row.expires_at - timezone.now()).days in (89, 90)
    page = client.get("/accounts/tokens/").content.decode()
    assert row.prefix in page and secret not in page
    assert client.get("/api/v1/me", headers=bearer(secret)).json()["username"] == "staff"


def test_it_revokes_ones_own_token_only(cast, client_for):
    row, secret = make_token(cast.staff)
    assert client_for(cast.officer).post(f"/accounts/tokens/{row.prefix}/revoke/").status_code == 404
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 200
    response = client_for(cast.staff).post(f"/accounts/tokens/{row.prefix}/revoke/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.status == "已撤销"
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_it_asks_for_a_name_and_limits_the_active_tokens(cast, client_for, monkeypatch):
    client = client_for(cast.staff)
    assert "令牌名称" in client.post("/accounts/tokens/", {"name": "", "expires_in_days": ""}).content.decode()
    monkeypatch.setattr(services, "MAX_PERSONAL_TOKENS", 2)
    for _ in range(2):
        make_token(cast.staff)
    page = client.post("/accounts/tokens/", {"name": "第三个", "expires_in_days": ""}).content.decode()
    assert "最多同时保留 2 个" in page and ApiToken.objects.count() == 2
    assert Client().get("/accounts/tokens/").status_code == 302  # sign in first


# --- the bearer token -----------------------------------------------------------------------------------------


def test_it_refuses_unknown_expired_and_deactivated_tokens(cast):
    row, secret = make_token(cast.staff, days=30)
    client = Client()
    for bad in ("", "lzp_nope", secret[:-1] + ("A" if secret[-1] != "A" else "B"), "lzk" + secret[3:], "x" * 500):
        assert client.get("/api/v1/me", headers=bearer(bad)).status_code == 401, bad
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    _, other = make_token(cast.officer)
    cast.officer.is_active = False
    cast.officer.save()
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 401


def test_it_records_the_last_use_at_most_once_a_minute(cast):
    row, secret = make_token(cast.staff)
    client = Client()
    client.get("/api/v1/me", headers=bearer(secret))
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(secret))
    row.refresh_from_db()
    assert row.last_used_at == first
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/api/v1/me", headers=bearer(secret))
    row.refresh_from_db()
    assert row.last_used_at > first - dt.timedelta(minutes=1)


def test_it_writes_with_a_token_without_csrf_but_not_with_a_session(cast):
    _, secret = make_token(cast.officer)
    opinion = opinion_at(cast.station, cast.officer)
    client = Client(enforce_csrf_checks=True)
    assert write(client, f"/api/v1/opinions/{opinion.code}/agenda", {}, secret).status_code == 200
    client.force_login(cast.officer)
    other = opinion_at(cast.station, cast.officer)
    refused = write(client, f"/api/v1/opinions/{other.code}/agenda", {})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert write(client, f"/api/v1/opinions/{other.code}/agenda", {}, secret).status_code == 200  # the token wins


def test_it_lets_a_bad_bearer_token_fail_even_with_a_session_but_not_another_scheme(cast, client_for):
    client = client_for(cast.staff)
    assert client.get("/api/v1/me", headers=bearer("lzp_nope")).status_code == 401  # the explicit credential
    assert client.get("/api/v1/me", headers={"Authorization": "Basic cHJveHk6cHc="}).status_code == 200  # a proxy's


def test_it_acts_with_the_token_owners_scope(cast):
    _, secret = make_token(cast.staff)
    mine, theirs = opinion_at(cast.station, cast.officer), opinion_at(cast.other_station, cast.outsider)
    client = Client()
    listed = [o["code"] for o in client.get("/api/v1/opinions", headers=bearer(secret)).json()["items"]]
    assert listed == [mine.code]
    assert client.get(f"/api/v1/opinions/{theirs.code}", headers=bearer(secret)).status_code == 404


def test_it_refuses_a_token_of_a_user_who_must_change_the_initial_password(cast):
    _, secret = make_token(cast.staff)
    cast.staff.must_change_password = True
    cast.staff.save()
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 403


# --- integration keys -----------------------------------------------------------------------------------------


def integration_key(cast, endpoints, region=None):
    return services.create_integration_key(
        name="县政务平台", region=region or cast.shitai, endpoints=endpoints, actor=cast.admin
    )


def test_it_limits_an_integration_key_to_its_region(cast):
    key, secret = integration_key(cast, ["opinions:read", "opinions:write"])
    assert not key.user.has_usable_password() and key.user.memberships.get().region == cast.shitai
    mine, theirs = opinion_at(cast.station, cast.officer), opinion_at(cast.other_station, cast.outsider)
    client = Client()
    listed = [o["code"] for o in client.get("/api/v1/opinions", headers=bearer(secret)).json()["items"]]
    assert listed == [mine.code]
    assert client.get(f"/api/v1/opinions/{theirs.code}", headers=bearer(secret)).status_code == 404
    body = {"station": cast.station.code, "channel": "phone", "content": "政务平台转来的诉求"}
    created = write(client, "/api/v1/opinions", body, secret)
    assert created.status_code == 201 and Opinion.objects.get(code=created.json()["code"]).created_by == key.user
    assert write(client, "/api/v1/opinions", {**body, "station": cast.other_station.code}, secret).status_code == 404
    assert write(client, f"/api/v1/opinions/{theirs.code}/agenda", {}, secret).status_code == 404


def test_it_limits_an_integration_key_to_its_endpoints(cast):
    _, secret = integration_key(cast, ["opinions:read"])
    opinion = opinion_at(cast.station, cast.officer)
    client = Client()
    assert client.get(f"/api/v1/opinions/{opinion.code}", headers=bearer(secret)).status_code == 200
    refused = write(client, f"/api/v1/opinions/{opinion.code}/agenda", {}, secret)
    assert refused.status_code == 403 and "集成密钥" in refused.json()["detail"]
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 403  # org:read not granted
    assert client.get("/api/v1/suggestions", headers=bearer(secret)).status_code == 403
    assert Opinion.objects.get(pk=opinion.pk).state == Opinion.State.REGISTERED


def test_it_lets_only_administrators_make_and_revoke_keys(cast):
    with pytest.raises(NotAllowed):
        services.create_integration_key(name="x", region=cast.shitai, endpoints=["opinions:read"], actor=cast.staff)
    with pytest.raises(DomainError):
        integration_key(cast, ["everything:write"])
    key, secret = integration_key(cast, ["opinions:read"])
    with pytest.raises(NotAllowed, match="系统管理员"):
        services.revoke_token(token=key, actor=cast.staff)
    services.revoke_token(token=key, actor=cast.admin)
    key.user.refresh_from_db()
    assert not key.user.is_active
    assert Client().get("/api/v1/opinions", headers=bearer(secret)).status_code == 401


def test_it_makes_a_key_in_the_admin_and_shows_its_secret_once(cast, client_for):
    client = client_for(cast.admin)
    assert client.get("/admin/api/integrationkey/add/").status_code == 200
    response = client.post(
        "/admin/api/integrationkey/add/",
        {"name": "县政务平台", "region": cast.shitai.pk, "endpoints": ["opinions:read", "opinions:write"]},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    (secret,) = re.findall(r"lzk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{40,}", response.content.decode())
    key = ApiToken.objects.get(kind="integration")
    assert key.endpoints == ["opinions:read", "opinions:write"] and key.region == cast.shitai
    assert client.get(f"/admin/api/integrationkey/{key.pk}/change/").status_code == 200
    assert secret not in client.get("/admin/api/integrationkey/").content.decode()


def test_it_shows_both_security_schemes_in_the_schema(cast, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"SessionAuth", "BearerToken"}
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    op = schema["paths"]["/api/v1/opinions/{code}/close"]["post"]
    assert op["security"] == [{"SessionAuth": []}, {"BearerToken": []}]
    assert {"404", "409", "422"} <= set(op["responses"])
