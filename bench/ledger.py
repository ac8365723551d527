"""Benchmark: the opinion ledger (民情台账) of one county holding 100,000 opinions.

Runnable alone: `.venv/bin/python bench/ledger.py`. Creates (and finally drops) its own PostgreSQL database
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/liaison_bench), fills one county (100 stations,
100,000 opinions over a year), then requests the ledger page through the Django test client as county staff
and as a station head — plain list, deep page, filters, Chinese full-text search — and writes p50/p95 to
docs/benchmarks.md (section "Ledger (bench/ledger.py)"). Target: under 300 ms per page on PostgreSQL.
"""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace as R
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
N = int(os.environ.get("BENCH_OPINIONS", 100_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 20))  # per scenario; 8 scenarios
# BENCH_KEEP=1 keeps the database afterwards (to EXPLAIN the queries).


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


def build():
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from liaison.demo.bulk import insert
    from liaison.demo.cast import ACCOUNTS, create_account
    from liaison.demo.texts import PLACES, TEXTS
    from liaison.opinions.models import Opinion
    from liaison.org.models import Category, Deputy, Region, Station, Stationing

    rng = random.Random(11)
    city = Region.objects.create(code="341700", name="池州市", level=Region.Level.CITY)
    county = Region.objects.create(code="341722", name="石台县", level=Region.Level.COUNTY, parent=city)
    stations = []
    for t in range(10):
        township = Region.objects.create(
            code=f"341722{100 + t:03d}", name=f"第{t + 1}镇", level=Region.Level.TOWNSHIP, parent=county
        )
        for v in range(10):
            village = Region.objects.create(
                code=f"{township.code}{200 + v:03d}",
                name=f"第{t + 1}镇{v + 1}村",
                level=Region.Level.VILLAGE,
                parent=township,
            )
            stations.append(
                Station.objects.create(code=f"ST{village.code}", name=f"{village.name}联络站", region=village)
            )
    deputies = {}
    for s in stations:
        deputies[s.pk] = []
        for k in range(5):
            d = Deputy.objects.create(code=f"D{s.pk:04d}{k}", name=f"代表{s.pk}-{k}", home_region=s.region)
            Stationing.objects.create(deputy=d, station=s)
            deputies[s.pk].append(d.pk)
    categories = {c.name: c.pk for c in Category.objects.filter(parent=None)}
    names = [n for n in TEXTS if n in categories]
    password = make_password("000000")
    now = timezone.now()
    states = [s for s, _ in Opinion.State.choices]
    weights = [8, 3, 1, 4, 3, 2, 1, 3, 1, 1, 2, 5, 66]
    channels = [c for c, _ in Opinion.Channel.choices]
    rows = []
    for i in range(N):
        station = stations[i % len(stations)]
        cat = rng.choice(names)
        title, content = rng.choice(TEXTS[cat])
        place = rng.choice(PLACES)
        channel = rng.choice(channels)
        rows.append(
            R(
                code=f"M{i:08d}",
                query_password_hash=password,
                station_id=station.pk,
                category_id=categories[cat],
                deputy_id=rng.choice(deputies[station.pk]) if channel in ("visit", "reception") else None,
                channel=channel,
                title=place + title,
                content=content.format(p=place),
                resident_name=f"群众{i % 997}",
                resident_phone=f"139{i:08d}",
                state=rng.choices(states, weights)[0],
                created_at=now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
            )
        )
    insert(Opinion, rows)
    # What autovacuum does after a bulk load: statistics, and the visibility map that lets the pager's
    # COUNT(*) run as an index-only scan.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    # The demo cast's county staff (石台县) and a station head, at one of the bench's own stations.
    staff = create_account(ACCOUNTS["shitai_staff"], username="bench_staff", password="x")
    head = create_account(
        ACCOUNTS["station_head"], username="bench_head", password="x", display_name="", scope=stations[7]
    )
    return staff, head, stations, categories


def measure(client, url: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return samples


def pct(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    name = urlparse(URL).path.lstrip("/")
    create_database(name)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.http import QueryDict
        from django.test import Client
        from django.utils import timezone

        from liaison.opinions.selectors import ledger_queryset

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        staff, head, stations, categories = build()
        build_s = time.perf_counter() - t0
        month = timezone.localdate().strftime("%Y-%m")
        township = stations[42].region.parent.code
        county_client, head_client = Client(), Client()
        county_client.force_login(staff)
        head_client.force_login(head)
        scenarios = [
            ("县级：台账第 1 页", county_client, "/opinions/"),
            ("县级：第 500 页", county_client, "/opinions/?page=500"),
            ("县级：状态 + 月份", county_client, f"/opinions/?state=closed&month={month}"),
            (
                "县级：分类 + 渠道 + 乡镇",
                county_client,
                f"/opinions/?category={categories['城乡建设']}&channel=visit&region={township}",
            ),
            ("县级：全文搜索“路灯”", county_client, "/opinions/?q=路灯"),
            ("县级：搜索“自来水浑浊” + 状态", county_client, "/opinions/?q=自来水浑浊&state=registered"),
            ("站长：本站台账", head_client, "/opinions/"),
            ("站长：本站搜索“井盖”", head_client, "/opinions/?q=井盖"),
        ]
        for _, client, url in scenarios:  # warm up caches and connections
            client.get(url)
        lines = [
            f"{N:,} opinions in one county (100 stations), PostgreSQL; built in {build_s:.0f} s. "
            f"Each scenario requested {REQUESTS} times through the Django test client (full view + template, "
            "50 rows per page, count for the pager included).",
            "",
            "| scenario | rows matched | p50 (ms) | p95 (ms) |",
            "|---|---:|---:|---:|",
        ]
        everything = []
        for label, client, url in scenarios:
            samples = measure(client, url, REQUESTS)
            everything += samples
            total = ledger_queryset(staff if client is county_client else head, QueryDict(url.partition("?")[2]))[
                0
            ].count()
            lines.append(f"| {label} | {total:,} | {statistics.median(samples):.0f} | {pct(samples, 95):.0f} |")
            print(f"{label:30} {total:>8} p50 {statistics.median(samples):6.1f} ms  p95 {pct(samples, 95):6.1f} ms")
        start = time.perf_counter()
        response = county_client.get(f"/opinions/export.xlsx?month={month}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        export_s = time.perf_counter() - start
        lines += [
            "",
            f"Load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
            "(the machine is shared; an idle machine gives lower figures).",
            f"All {len(everything)} requests: p50 {statistics.median(everything):.0f} ms, "
            f"p95 {pct(everything, 95):.0f} ms, max {max(everything):.0f} ms (target: under 300 ms per page).",
            f"xlsx export of this month's ledger: {size / 1024:.0f} KiB in {export_s:.1f} s.",
        ]
        print("\n".join(lines[-3:]))
        from bench._report import record

        record("Ledger (bench/ledger.py)", "\n".join(lines))
        summary = {
            "bench": "ledger",
            "opinions": N,
            "requests": len(everything),
            "p50_ms": round(statistics.median(everything)),
            "p95_ms": round(pct(everything, 95)),
            "max_ms": round(max(everything)),
            "target_p95_ms": 300,
            "export_s": round(export_s, 2),
            "export_kib": round(size / 1024),
        }
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP"):
            drop_database(name)


if __name__ == "__main__":
    main()
