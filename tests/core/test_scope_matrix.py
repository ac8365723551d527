"""The scope matrix: every URL pattern and API operation against every role of the cast.

The table and its notation are in tests/scope_table.py; the two counties' objects in tests/world.py. A new URL
pattern (or API operation) without a row fails test_every_url_pattern_and_api_operation_has_a_row.

To write the row of a new page, run this file with SCOPE_DUMP=1 and -s: each row is printed as the product
answers it (no assertions) — then check every token against PRODUCT.md before pasting it.
"""

import json
import os
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from liaison.org.models import User
from tests.scope_table import TABLE
from tests.world import RESIDENT_NAME, ROLES, body_text, home_side, token, world_fixture

world = world_fixture()
DUMP = os.environ.get("SCOPE_DUMP")
OUT_OF_SCOPE = {"L", "401", "403", "404", "405"}

# --- the URL conf ---------------------------------------------------------------------------------------------


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_operations() -> set[str]:
    from liaison.api.api import api

    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def routes() -> set[str]:
    """Every URL pattern and API operation that needs a row in the scope table."""
    api_paths = {op.split(" ", 1)[1] for op in api_operations()}
    out = set()
    for route, pattern in _walk(get_resolver()):
        # The Django admin is configuration for superusers and is_staff users, guarded by Django itself; it is
        # not part of the role and region scoping this matrix checks.
        if route.startswith("admin/"):
            continue
        # A django-ninja operation: checked through its OpenAPI operations (one URL may carry several methods).
        # A ninja URL left out of the schema stays here and needs a row of its own.
        if getattr(pattern.callback, "__module__", "").startswith("ninja.") and _openapi_path(route) in api_paths:
            continue
        out.add(route)
    return out | api_operations()


def test_every_url_pattern_and_api_operation_has_a_row():
    keys = [e.route for e in TABLE]
    assert len(keys) == len(set(keys)), "duplicate rows: " + ", ".join(sorted({k for k in keys if keys.count(k) > 1}))
    missing = sorted(routes() - set(keys))
    assert not missing, "URL patterns without a row in tests/scope_table.py TABLE: " + ", ".join(missing)
    stale = sorted(set(keys) - routes())
    assert not stale, "rows of tests/scope_table.py TABLE without a URL pattern: " + ", ".join(stale)


def test_the_table_keeps_the_rules():
    """The rows themselves follow PRODUCT.md: the other county's object answers 404 (or L/401/403/405), a
    POST to it too; "-" (a POST not tried) only for one's own county; POST-only endpoints have a POST row."""
    problems = []
    for e in TABLE:
        for i, role in enumerate(ROLES):
            home = home_side(role)
            columns = {"shitai": e.st, "dongzhi": e.dz}
            if e.dz is not None and not e.public and not e.oos:
                token = columns["dongzhi" if home == "shitai" else "shitai"][i]
                if token not in OUT_OF_SCOPE:
                    problems.append(f"{e.route}: {role} GET of the other county's object gives {token}")
            if e.post:
                post = {"shitai": e.post[0], "dongzhi": e.post[1]}
                token = post["dongzhi" if home == "shitai" else "shitai"][i]
                if token == "-" or (token not in OUT_OF_SCOPE and not e.oos):
                    problems.append(f"{e.route}: {role} POST to the other county's object gives {token}")
        logged_in = e.st[1:]
        if "405" in logged_in and not e.post and not e.no_post:
            problems.append(f"{e.route}: POST-only endpoint without a POST row (or no_post reason)")
        if e.post and e.no_post:
            problems.append(f"{e.route}: both a POST row and a no_post reason")
    assert not problems, "\n".join(problems)


# --- what must not show --------------------------------------------------------------------------------------


def leak_markers(c) -> list[str]:
    """What of one county's objects must never show to the other county's users."""
    side = "shitai" if c.county.code == "341722" else "dongzhi"
    opinions = [c.opinion, c.opinion_src, c.item.opinion]
    suggestions = [c.draft, c.submitted, c.main, c.closed]
    objects = [*opinions, *suggestions, c.assignment, c.meeting, c.visit, c.mediation]
    return [
        *(o.code for o in objects),
        *(o.title for o in opinions + suggestions),
        RESIDENT_NAME[side],
        c.station.name,
        c.deputy.code,
    ]


def hidden_markers(w, role) -> list[str]:
    """What of the role's own county it must not see either."""
    c = w.county(home_side(role))
    out = []
    if role != "deputy":  # a draft is its lead deputy's alone
        out += [c.draft.code, c.draft.title]
    if role in ("unit", "anon"):  # units see only what is assigned to them; the resident only their own item
        opinions = [c.opinion_src, c.item.opinion] + ([c.opinion] if role == "unit" else [])
        out += [o.code for o in opinions] + [o.title for o in opinions]
        out += [c.submitted.code, c.submitted.title, c.meeting.code, c.visit.code, c.mediation.code]
        out += [RESIDENT_NAME[home_side(role)]]
    if role == "anon":
        out += [c.main.code, c.main.title, c.assignment.code]
    return out


def other(side):
    return "dongzhi" if side == "shitai" else "shitai"


# --- GET ------------------------------------------------------------------------------------------------------


def _get_cases(entry):
    """(role, county of the URL, expected token, whether that county is the role's own) for every cell."""
    for i, role in enumerate(ROLES):
        if entry.dz is None:
            yield role, home_side(role), entry.st[i], True
        else:
            yield role, "shitai", entry.st[i], home_side(role) == "shitai"
            yield role, "dongzhi", entry.dz[i], home_side(role) == "dongzhi"


@pytest.mark.django_db
@pytest.mark.parametrize("entry", TABLE, ids=lambda e: e.route or "/")
def test_get(world, entry):
    w, clients = world
    problems = []
    got_row = {"shitai": [], "dongzhi": []} if entry.dz else {"one": []}
    for role, side, expected, own in _get_cases(entry):
        row = got_row["one"] if entry.dz is None else got_row[side]
        c = w.county(side)
        url = entry.url(c)
        try:
            response = clients[role].get(url)
        except Exception as exc:  # a 500: the test client re-raises the view's exception
            problems.append(f"{role} GET {url}: 500 {exc!r}")
            row.append("500")
            continue
        got = token(response)
        text = body_text(response) if got == "200" else ""
        if got == "200" and entry.shows:
            got += "+" if entry.shows(c) in text else "-"
        row.append(got)
        if got != expected:
            problems.append(f"{role} GET {url}: expected {expected}, got {got}")
        if got.startswith("200") and entry.leak_check and (own or not entry.public):
            leaks = [m for m in leak_markers(w.county(other(home_side(role)))) if m in text]
            if leaks:
                problems.append(f"{role} GET {url}: shows the other county's {leaks}")
            hidden = [m for m in hidden_markers(w, role) if m in text] if own else []
            if hidden:
                problems.append(f"{role} GET {url}: shows {hidden}, not theirs to see")
    if DUMP:
        print(f"\nROW {entry.route!r}: " + " | ".join(" ".join(r) for r in got_row.values()))
        print("".join(f"  !! {p}\n" for p in problems if "expected" not in p), end="")
        return
    assert not problems, "\n".join(problems)


# --- POST -----------------------------------------------------------------------------------------------------

# security: a refused 查看完整联系方式 must not write a personal-data access log row either; api: a refused API
# write must not store an idempotent answer (nor touch a token).
FINGERPRINT_APPS = {"org", "security", "events", "notify", "opinions", "meetings", "suggestions", "api"}


def fingerprint() -> dict:
    """Every row of the apps that hold data (users aside: signing in touches last_login), read as plain SQL."""
    models = [m for m in apps.get_models() if m._meta.app_label in FINGERPRINT_APPS and m is not User]
    out = {}
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            out[model._meta.label] = sorted(map(repr, cursor.fetchall()))
    return out


class _Rollback(Exception):
    pass


def _post(client, entry, url, data):
    """A page gets a form; an API operation its JSON body and a fresh Idempotency-Key (as a client sends them)."""
    if entry.route.startswith("POST /api/"):
        headers = {"Idempotency-Key": uuid.uuid4().hex}
        return client.post(url, json.dumps(data), content_type="application/json", headers=headers)
    return client.post(url, data)


@pytest.mark.django_db
@pytest.mark.parametrize("entry", [e for e in TABLE if e.post], ids=lambda e: e.route)
def test_post(world, entry):
    """A POST by a role that may not do it answers as the table says and changes nothing."""
    w, clients = world
    baseline = fingerprint()
    problems = []
    got_row = {"shitai": [], "dongzhi": []}
    for side, column in zip(("shitai", "dongzhi"), entry.post, strict=True):
        c = w.county(side)
        url = entry.url(c)
        data = entry.data(c) if entry.data else {}
        for role, expected in zip(ROLES, column, strict=True):
            if expected == "-" and not DUMP:
                got_row[side].append("-")
                continue
            client = clients[role]
            got, changed = "500", []
            try:
                with transaction.atomic():  # whatever the POST did is undone before the next one
                    try:
                        got = token(_post(client, entry, url, data))
                        if got != "L":  # login_required answered before the view ran
                            after = fingerprint()
                            changed = [label for label, rows in baseline.items() if after[label] != rows]
                    except Exception as exc:  # the view's exception: a 500
                        got = f"500 {exc!r}"
                    raise _Rollback
            except _Rollback:
                pass
            finally:
                client.cookies.pop("messages", None)
            got_row[side].append(got.split()[0])
            if got != expected:
                problems.append(f"{role} POST {url}: expected {expected}, got {got}")
            if changed and expected != "-":
                problems.append(f"{role} POST {url}: changed {changed}")
    if DUMP:
        print(f"\nPOST {entry.route!r}: " + " | ".join(" ".join(r) for r in got_row.values()))
        print("".join(f"  !! {p}\n" for p in problems if "expected" not in p), end="")
        return
    assert not problems, "\n".join(problems)
