"""Benchmark: the suggestion loop at county scale, and supervision at half a million open assignments.

Runnable alone: `.venv/bin/python bench/suggestions.py`. Creates (and finally drops) its own PostgreSQL database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/liaison_bench_sugg; BENCH_KEEP=1 or --keep keeps it for
EXPLAIN), fills one county with `--suggestions` (50,000) suggestions, each with one open assignment among 20
handling units, and measures:

- the everyday lists through the Django test client (p50/p95 of `--requests` requests each): the staff list
  (first page, a deep page, search, the 超期 red-flag filter), a unit's inbox (≈2,500 open items), the home pages;
- the query count of the red-flag list and of the inbox at two page sizes (it must not grow with the rows shown);
- `manage.py supervise` (services/supervision.run) over the county's assignments, then again after growing the
  database in SQL to `--supervise-assignments` (500,000) open assignments with every flag reset: a first pass
  (all flags new) and a second one, which must change nothing (flags, reminders, notifications, events).

Targets: both lists p95 < 150 ms with a flat query count; supervise at 500,000 open assignments < 20 s.
Writes its section of docs/benchmarks.md and prints one JSON line last.
"""

import argparse
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
N_UNITS = 20
RED_URL, INBOX_URL = "/suggestions/?flag=red", "/units/inbox/"
LIST_TARGET_MS, SUPERVISE_TARGET_S = 150, 20


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


def due_dates(rng, today, calendar):
    """30 % past due, 10 % within the yellow window, the rest later."""
    roll = rng.random()
    if roll < 0.3:
        return today - dt.timedelta(days=rng.randint(1, 60))
    if roll < 0.4:
        return calendar.add_working_days(today, rng.randint(0, 4))
    return today + dt.timedelta(days=rng.randint(10, 90))


def build(n: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from liaison.demo.cast import ACCOUNTS, create_account
    from liaison.lib.codes import new_code
    from liaison.lib.workdays import WorkCalendar
    from liaison.org.models import Body, Category, Deputy, HandlingUnit, Level, Mandate, Region, Station, Stationing
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

    now = timezone.now()
    batch = 5000
    for start in range(0, n, batch):
        rows = [
            Suggestion(
                code=new_code("S", 10),
                case_number=f"石台县〔{today.year}〕第{i + 1}号",
                case_year=today.year,
                case_seq=i + 1,
                title=f"关于解决第{i}号民生问题的建议",
                cause="群众反映",
                proposals="尽快解决",
                category=category,
                lead_deputy=deputies[i % len(deputies)],
                level=Level.COUNTY,
                body=body,
                station=stations[i % 20],
                region=villages[i % 20],
                state="handling",
                submitted_at=now,
                accepted_at=now,
            )
            for i in range(start, min(n, start + batch))
        ]
        Suggestion.objects.bulk_create(rows)
        Assignment.objects.bulk_create(
            Assignment(
                code=new_code("A", 10),
                suggestion=s,
                unit=units[rng.randrange(N_UNITS)],
                role="lead",
                state="signed",
                start_date=today - dt.timedelta(days=60),
                assigned_on=today - dt.timedelta(days=60),
                due_date=due_dates(rng, today, calendar),
            )
            for s in rows
        )
    analyze()
    return staff, unit_users[0]


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def grow(total_open: int) -> int:
    """Add suggestions, one open lead assignment each, in SQL until `total_open` assignments are open; then reset
    every flag to green and empty the reminders and the outbox, so that supervise's next pass finds all flags new.
    Returns the seconds it took."""
    from django.db import connection
    from django.utils import timezone

    from liaison.lib.workdays import WorkCalendar
    from liaison.suggestions.lifecycles import assignment as lifecycle
    from liaison.suggestions.models import Assignment, Suggestion

    start = time.perf_counter()
    today = timezone.localdate()
    calendar = WorkCalendar.load()
    yellow = [calendar.add_working_days(today, k) for k in range(5)]
    first = Suggestion.objects.order_by("id").first()
    last_id = Suggestion.objects.order_by("-id").values_list("id", flat=True).first()
    have = Assignment.objects.filter(state__in=lifecycle.OPEN).count()
    seq = Suggestion.objects.count()
    more = max(0, total_open - have)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.7)")
        cursor.execute("SELECT array_agg(id) FROM org_deputy")
        deputy_ids = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY code) FROM org_handlingunit")
        unit_ids = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id ORDER BY code) FROM org_station")
        station_ids = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(region_id ORDER BY code) FROM org_station")
        region_ids = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO suggestions_suggestion (code, case_number, case_year, case_seq, title, cause, reasons,"
            " proposals, category_id, lead_deputy_id, level, body_id, station_id, region_id, publishable,"
            " confidential, attachment, state, review_note, key_supervised, round, rehandle_count, created_at,"
            " submitted_at, accepted_at)"
            " SELECT 'SB' || lpad(i::text, 10, '0'), '石台县〔' || %(year)s || '〕第' || i || '号', %(year)s, i,"
            " '关于解决第' || i || '号民生问题的建议', '群众反映', '', '尽快解决', %(category)s,"
            " (%(deputies)s::bigint[])[1 + i %% cardinality(%(deputies)s::bigint[])], 'county', %(body)s,"
            " (%(stations)s::bigint[])[1 + i %% 20], (%(regions)s::bigint[])[1 + i %% 20], true, false, '',"
            " 'handling', '', false, 1, 0, now() - i * interval '1 second', now(), now()"
            " FROM generate_series(%(lo)s, %(hi)s) AS i",
            {
                "year": today.year,
                "category": first.category_id,
                "deputies": deputy_ids,
                "body": first.body_id,
                "stations": station_ids,
                "regions": region_ids,
                "lo": seq + 1,
                "hi": seq + more,
            },
        )
        cursor.execute(
            "INSERT INTO suggestions_assignment (code, suggestion_id, unit_id, role, part, state, start_date,"
            " assigned_on, due_date, paused_days, extension_months, flag, return_reason)"
            " SELECT 'AB' || substr(s.code, 3), s.id, (%(units)s::bigint[])[1 + floor(random() * 20)::int], 'lead',"
            " '', 'signed', %(start)s, %(start)s, CASE WHEN r < 0.3 THEN %(today)s - (1 + floor(random() * 60)::int)"
            " WHEN r < 0.4 THEN (%(yellow)s::date[])[1 + floor(random() * 5)::int]"
            " ELSE %(today)s + (10 + floor(random() * 81)::int) END, 0, 0, 'green', ''"
            " FROM (SELECT id, code, random() AS r FROM suggestions_suggestion WHERE id > %(last)s) AS s",
            {
                "last": last_id,
                "units": unit_ids,
                "start": today - dt.timedelta(days=60),
                "today": today,
                "yellow": yellow,
            },
        )
        cursor.execute("UPDATE suggestions_assignment SET flag = 'green' WHERE flag <> 'green'")
        cursor.execute("DELETE FROM suggestions_reminder")
        cursor.execute("DELETE FROM notify_notification")
        cursor.execute("ANALYZE")
    return time.perf_counter() - start


def snapshot() -> dict:
    """What a supervise pass may change: flags, reminders, the outbox, the event log, commitments' states."""
    from django.db.models import Count

    from liaison.events.models import Event
    from liaison.notify.models import Notification
    from liaison.suggestions.models import Assignment, Commitment, Reminder

    return {
        "flags": dict(Assignment.objects.values_list("flag").annotate(n=Count("id")).order_by("flag")),
        "reminders": Reminder.objects.count(),
        "notifications": Notification.objects.count(),
        "events": Event.objects.count(),
        "commitments": dict(Commitment.objects.values_list("state").annotate(n=Count("id")).order_by("state")),
    }


def supervise_twice() -> dict:
    from liaison.suggestions.services import supervision

    start = time.perf_counter()
    first = supervision.run()
    first_s = time.perf_counter() - start
    after_first = snapshot()
    start = time.perf_counter()
    second = supervision.run()
    second_s = time.perf_counter() - start
    after_second = snapshot()
    changed = second.red + second.yellow + second.notifications + second.missed_commitments + second.assign_overdue
    return {
        "first_s": first_s,
        "second_s": second_s,
        "first": first,
        "second": second,
        "reminders": after_first["reminders"],
        "idempotent": after_first == after_second and changed == 0,
        "load": os.getloadavg()[0],
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def measure(client, url, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates, the session, the calendar's cache
    samples, queries = [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    p50, p95 = percentiles(samples)
    return {"p50": p50, "p95": p95, "queries": queries}


def queries_at(client, url, page_size: int) -> tuple[int, int]:
    """(queries, rows shown) of one request with the lists' page size set to `page_size`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liaison.suggestions.views import common

    saved, common.PAGE_SIZE = common.PAGE_SIZE, page_size
    try:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
    finally:
        common.PAGE_SIZE = saved
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response.content.decode().count("<tr>") - 1  # less the header row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suggestions", type=int, default=int(os.environ.get("BENCH_SUGGESTIONS", 50_000)))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 30)), help="per page")
    parser.add_argument("--page-sizes", default="10,100", help="two page sizes for the query counts")
    parser.add_argument(
        "--supervise-assignments", type=int, default=500_000, help="open assignments for supervise (0: skip)"
    )
    parser.add_argument("--keep", action="store_true", default=os.environ.get("BENCH_KEEP") == "1")
    parser.add_argument("--no-record", action="store_true", help="print only, do not write docs/benchmarks.md")
    args = parser.parse_args()
    if not URL.startswith("postgres"):
        sys.exit("bench/suggestions.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    small, large = (int(x) for x in args.page_sizes.split(","))
    name = urlparse(URL).path.lstrip("/")
    create_database(name)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from liaison.org.selectors import scope_of
        from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
        from liaison.suggestions.models import Assignment

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.NOTIFY_PROVIDERS = ["console"]
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        staff, unit_user = build(args.suggestions)
        build_s = time.perf_counter() - t0
        county_open = Assignment.objects.filter(state__in=assignment_lifecycle.OPEN).count()
        inbox_open = Assignment.objects.filter(
            unit_id__in=scope_of(unit_user).unit_ids, state__in=assignment_lifecycle.OPEN
        ).count()
        county = supervise_twice()  # sets the flags the red-flag list shows

        staff_client, unit_client = Client(), Client()
        staff_client.force_login(staff)
        unit_client.force_login(unit_user)
        pages_load = os.getloadavg()[0]
        figures = {}
        for label, client, url in [
            ("staff list, first page", staff_client, "/suggestions/"),
            ("staff list, page 500", staff_client, "/suggestions/?page=500"),
            ("staff list, search + state filter", staff_client, "/suggestions/?q=第4999&state=handling"),
            ("staff list, red flag filter", staff_client, RED_URL),
            (f"unit inbox (≈{inbox_open:,} open)", unit_client, INBOX_URL),
            ("home page (staff panels)", staff_client, "/"),
            ("home page (unit panel)", unit_client, "/"),
        ]:
            figures[label] = measure(client, url, args.requests)
        pages_load = max(pages_load, os.getloadavg()[0])
        red_label, inbox_label = "staff list, red flag filter", f"unit inbox (≈{inbox_open:,} open)"
        counts = {
            label: [queries_at(client, url, size) for size in (small, large)]
            for label, client, url in [(red_label, staff_client, RED_URL), (inbox_label, unit_client, INBOX_URL)]
        }

        big = grown_s = None
        if args.supervise_assignments:
            grown_s = grow(args.supervise_assignments)
            big_open = Assignment.objects.filter(state__in=assignment_lifecycle.OPEN).count()
            big = supervise_twice()
            big["open"] = big_open

        rows = "\n".join(
            f"| {label} | {f['p50']:.0f} | {f['p95']:.0f} | {f['queries']} |" for label, f in figures.items()
        )
        count_rows = "\n".join(
            f"| {label} | {a} ({ra} rows) | {b} ({rb} rows) | {'yes' if a == b else '**no**'} |"
            for label, ((a, ra), (b, rb)) in counts.items()
        )
        flat = all(a == b for (a, _), (b, _) in counts.values())
        list_met = {label: figures[label]["p95"] < LIST_TARGET_MS for label in (red_label, inbox_label)}

        def run_rows(r):
            f, s = r["first"], r["second"]
            return (
                f"| first (all flags new) | {r['first_s']:.2f} s | {f.red:,} | {f.yellow:,} | {r['reminders']:,} |"
                f" {f.notifications:,} |\n"
                f"| second | {r['second_s']:.2f} s | {s.red:,} | {s.yellow:,} | — | {s.notifications:,} |"
            )

        big_text = "not run (`--supervise-assignments 0`)."
        if big:
            big_met = big["open"] >= 500_000 and big["first_s"] < SUPERVISE_TARGET_S
            big_text = f"""{big["open"]:,} open assignments (the county's grown in SQL with one lead assignment per new
suggestion, same due-date mix, every flag reset to green and reminders and outbox emptied; {grown_s:.0f} s),
load average {big["load"]:.1f}:

| run | time | red | yellow | reminders | notifications |
|---|---|---|---|---|---|
{run_rows(big)}

Target: supervise over 500,000 open assignments in under {SUPERVISE_TARGET_S} s — {"met" if big_met else "**NOT met**"}
(measured at {big["open"]:,}).
Second pass changes nothing (flags, reminders, notifications, events, commitments compared) —
{"yes" if big["idempotent"] else "**NO**"}."""
        body = f"""
{args.suggestions:,} suggestions with {county_open:,} open assignments in one county (石台县), {N_UNITS} handling units,
PostgreSQL (`{name}`), setup {build_s:.0f} s. Each page requested {args.requests} times through Django's test
client after one warm-up (whole view + template, no network, 50 rows a page); load average up to {pages_load:.1f}
on this shared machine while measuring.

| page | p50 ms | p95 ms | queries |
|---|---:|---:|---:|
{rows}

Targets: red-flag list p95 < {LIST_TARGET_MS} ms — {"met" if list_met[red_label] else "**NOT met**"};
unit inbox p95 < {LIST_TARGET_MS} ms — {"met" if list_met[inbox_label] else "**NOT met**"}.

Queries per request at two page sizes (the count must not grow with the rows shown):

| page | {small} a page | {large} a page | flat |
|---|---|---|---|
{count_rows}

`manage.py supervise` over the county's {county_open:,} open assignments (set-based flag updates, bulk reminders
and notifications), load average {county["load"]:.1f}:

| run | time | red | yellow | reminders | notifications |
|---|---|---|---|---|---|
{run_rows(county)}

At scale: {big_text}
"""
        print(body)
        if not args.no_record:
            from bench._report import record

            record("Suggestions (bench/suggestions.py)", body)
        summary = {
            "bench": "suggestions",
            "suggestions": args.suggestions,
            "open_assignments": county_open,
            "requests": args.requests,
            "load_avg": round(pages_load, 1),
            "pages_p50_ms": {label: round(f["p50"]) for label, f in figures.items()},
            "pages_p95_ms": {label: round(f["p95"]) for label, f in figures.items()},
            "pages_queries": {label: f["queries"] for label, f in figures.items()},
            "queries_by_page_size": {label: {small: a, large: b} for label, ((a, _), (b, _)) in counts.items()},
            "flat_queries": flat,
            "red_flag_p95_met": list_met[red_label],
            "inbox_p95_met": list_met[inbox_label],
            "supervise_county_first_s": round(county["first_s"], 2),
            "supervise_county_second_s": round(county["second_s"], 2),
            "supervise_open_assignments": big["open"] if big else None,
            "supervise_first_s": round(big["first_s"], 2) if big else None,
            "supervise_second_s": round(big["second_s"], 2) if big else None,
            "supervise_idempotent": (big or county)["idempotent"],
            "supervise_target_met": bool(big and big["open"] >= 500_000 and big["first_s"] < SUPERVISE_TARGET_S),
        }
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(name)


if __name__ == "__main__":
    main()
