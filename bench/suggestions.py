"""Benchmark: the suggestion loop at county scale (50,000 suggestions with open assignments in one county).

Runnable alone: `.venv/bin/python bench/suggestions.py`. Creates (and finally drops) its own PostgreSQL database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/liaison_bench_sugg), times the staff list page, the
unit inbox and `manage.py supervise` over 50,000 open assignments, and writes the figures to docs/benchmarks.md.
"""

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench_sugg")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
N = int(os.environ.get("BENCH_SUGGESTIONS", 50_000))
N_UNITS = 20


def admin_connection():
    import psycopg

    u = urlparse(URL)
    return psycopg.connect(
        host=u.hostname, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres", autocommit=True
    )


def create_database(name: str):
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str):
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn, repeat=3):
    samples = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def build():
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from liaison.demo.cast import ACCOUNTS, create_account
    from liaison.lib.codes import new_code
    from liaison.lib.workdays import WorkCalendar
    from liaison.org.models import (
        Body,
        Category,
        Deputy,
        HandlingUnit,
        Level,
        Mandate,
        Region,
        Station,
        Stationing,
    )
    from liaison.suggestions.models import Assignment, Suggestion

    rng = random.Random(7)
    today = timezone.localdate()
    calendar = WorkCalendar.load()
    city = Region.objects.create(code="341700", name="池州市", level="city")
    county = Region.objects.create(code="341722", name="石台县", level="county", parent=city)
    township = Region.objects.create(code="341722100", name="仁里镇", level="township", parent=county)
    villages = [
        Region.objects.create(code=f"341722100{200 + i}", name=f"村{i}", level="village", parent=township)
        for i in range(20)
    ]
    stations = [Station.objects.create(code=f"ST{v.code}", name=f"{v.name}联络站", region=v) for v in villages]
    body = Body.objects.create(name="石台县人大常委会", kind="county_sc", region=county)
    category = Category.objects.filter(parent=None).first()
    units = []
    for i in range(N_UNITS):
        unit = HandlingUnit.objects.create(code=f"U341722-{i:02d}", name=f"石台县第{i}局", region=county)
        unit.categories.add(category)
        units.append(unit)
    password = make_password("bench-pass-1234")
    deputies = []
    for i in range(200):
        d = Deputy.objects.create(code=f"D{i:07d}", name=f"代表{i}", home_region=villages[i % 20])
        Mandate.objects.create(deputy=d, level=Level.COUNTY, region=county)
        Stationing.objects.create(deputy=d, station=stations[i % 20])
        deputies.append(d)
    # The demo cast's county staff (石台县) and a handling unit's clerk for each of the bench's units.
    staff = create_account(ACCOUNTS["shitai_staff"], username="staff", password_hash=password)
    unit_users = [
        create_account(
            ACCOUNTS["unit_zjj"], username=f"unit{i or ''}", password_hash=password, display_name="", scope=unit
        )
        for i, unit in enumerate(units)
    ]
    unit_user = unit_users[0]

    now = timezone.now()
    batch = 5000
    for start in range(0, N, batch):
        rows = []
        for i in range(start, min(N, start + batch)):
            d = deputies[i % len(deputies)]
            rows.append(
                Suggestion(
                    code=new_code("S", 10),
                    case_number=f"石台县〔{today.year}〕第{i + 1}号",
                    case_year=today.year,
                    case_seq=i + 1,
                    title=f"关于解决第{i}号民生问题的建议",
                    cause="群众反映",
                    proposals="尽快解决",
                    category=category,
                    lead_deputy=d,
                    level=Level.COUNTY,
                    body=body,
                    station=stations[i % 20],
                    region=villages[i % 20],
                    state="handling",
                    submitted_at=now,
                    accepted_at=now,
                )
            )
        Suggestion.objects.bulk_create(rows)
        assignments = []
        for s in rows:
            # 30 % past due, 10 % within the yellow window, the rest later.
            roll = rng.random()
            due = (
                today - dt.timedelta(days=rng.randint(1, 60))
                if roll < 0.3
                else (
                    calendar.add_working_days(today, rng.randint(0, 4))
                    if roll < 0.4
                    else today + dt.timedelta(days=rng.randint(10, 90))
                )
            )
            assignments.append(
                Assignment(
                    code=new_code("A", 10),
                    suggestion=s,
                    unit=units[rng.randrange(N_UNITS)],
                    role="lead",
                    state="signed",
                    start_date=today - dt.timedelta(days=60),
                    assigned_on=today - dt.timedelta(days=60),
                    due_date=due,
                )
            )
        Assignment.objects.bulk_create(assignments)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff, unit_user


def main():
    name = urlparse(URL).path.lstrip("/")
    keep = os.environ.get("BENCH_KEEP") == "1"  # keep the database afterwards (for profiling)
    create_database(name)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.NOTIFY_PROVIDERS = ["console"]
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        staff, unit_user = build()
        build_s = time.perf_counter() - t0
        from liaison.notify.models import Notification
        from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
        from liaison.suggestions.models import Assignment, Reminder
        from liaison.suggestions.services import supervision

        staff_client, unit_client = Client(), Client()
        staff_client.force_login(staff)
        unit_client.force_login(unit_user)

        def get(client, url):
            def run():
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                return len(ctx.captured_queries)

            return run

        figures = []
        for label, client, url in [
            ("staff list, first page", staff_client, "/suggestions/"),
            ("staff list, page 500", staff_client, "/suggestions/?page=500"),
            ("staff list, search + state filter", staff_client, "/suggestions/?q=第4999&state=handling"),
            ("unit inbox (≈2,500 open)", unit_client, "/units/inbox/"),
            ("home page (staff panels)", staff_client, "/"),
            ("home page (unit panel)", unit_client, "/"),
        ]:
            seconds, queries = timed(get(client, url))
            figures.append((label, seconds, queries))

        open_count = Assignment.objects.filter(state__in=assignment_lifecycle.OPEN).count()
        start = time.perf_counter()
        first = supervision.run()
        first_s = time.perf_counter() - start
        notes_after_first = Notification.objects.count()
        start = time.perf_counter()
        second = supervision.run()
        second_s = time.perf_counter() - start
        assert Notification.objects.count() == notes_after_first, "supervise is not idempotent"
        seconds_flag, queries_flag = timed(get(staff_client, "/suggestions/?flag=red"))
        figures.append(("staff list, red flag filter", seconds_flag, queries_flag))

        rows = "\n".join(f"| {label} | {seconds * 1000:.0f} ms | {queries} |" for label, seconds, queries in figures)
        body = f"""
{N:,} suggestions with {open_count:,} open assignments in one county (石台县), {N_UNITS} handling units,
PostgreSQL (`{name}`), setup {build_s:.0f} s. Page times are medians of 3 requests through Django's test client
(whole view + template, no network).

| page | time | queries |
|---|---|---|
{rows}

`manage.py supervise` (one pass, set-based updates, bulk reminders and notifications):

| run | time | red | yellow | reminders | notifications |
|---|---|---|---|---|---|
| first (all flags new) | {first_s:.2f} s | {first.red:,} | {first.yellow:,} | {Reminder.objects.count():,} | {first.notifications:,} |
| second (idempotent) | {second_s:.2f} s | {second.red:,} | {second.yellow:,} | — | {second.notifications:,} |

Target: supervise over 50,000 open assignments in under 10 s — {"met" if first_s < 10 else "NOT met"}.
"""
        print(body)
        from bench._report import record

        record("Suggestions (bench/suggestions.py)", body)
        summary = {
            "bench": "suggestions",
            "suggestions": N,
            "open_assignments": open_count,
            "pages_ms": {label: round(seconds * 1000) for label, seconds, _ in figures},
            "pages_queries": {label: queries for label, _, queries in figures},
            "supervise_first_s": round(first_s, 2),
            "supervise_second_s": round(second_s, 2),
            "supervise_target_met": first_s < 10,
        }
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            drop_database(name)


if __name__ == "__main__":
    main()
