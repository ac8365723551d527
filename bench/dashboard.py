"""Benchmark: county and city dashboards over a large history, from rollups vs from the source tables.

Runnable alone: `.venv/bin/python bench/dashboard.py [--scale full|tenth] [--opinions N --suggestions M] [--keep]`
(`--scale full`: the target, 10,000,000 opinions and 1,000,000 suggestions; default `tenth`). PostgreSQL only:
creates (and finally drops) its own database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/liaison_bench_dash), loads the demo organisation (620 stations), generates
N opinions and M suggestions (with assignments, answers, evaluations, consultations) set-based in SQL
(INSERT … SELECT generate_series, foreign-key triggers off, plain indexes built after the load) over two years,
rebuilds the rollups (set-based, rollups.rebuild), then measures the county and city
dashboard pages (p50/p95 warm, through the Django test client as a logged-in user) and the same figures
computed directly from the source tables, checks the dashboard figures against the independent SQL recount
(liaison/reports/independent.py, written from PRODUCT.md's definitions, sharing no classification code with the
rollups), writes the results to docs/benchmarks.md and prints them as one JSON line last.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liaison_bench_dash")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
SECTION = "Dashboards (bench/dashboard.py)"
SCALES = {"full": (10_000_000, 1_000_000), "tenth": (1_000_000, 100_000)}


def admin_connection():
    import psycopg

    u = urlparse(URL)
    return psycopg.connect(
        host=u.hostname, port=u.port or 5432, user=u.username, password=u.password, dbname="postgres", autocommit=True
    )


def db_name() -> str:
    return urlparse(URL).path.lstrip("/")


def create_database():
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name()}"')


def drop_database():
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')


def fill_defaults(cursor, table: str, given: dict) -> tuple[str, str]:
    """Column list and SELECT expressions: `given` plus a neutral value for every other NOT NULL column
    without a default (so the generator survives other apps adding fields)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        [table],
    )
    values = dict(given)
    for name, kind in cursor.fetchall():
        if name in values or name == "id":
            continue
        if "char" in kind or kind == "text":
            values[name] = "''"
        elif "int" in kind or kind in ("numeric", "double precision", "real"):
            values[name] = "0"
        elif kind == "boolean":
            values[name] = "false"
        elif "timestamp" in kind:
            values[name] = "now()"
        elif kind == "date":
            values[name] = "current_date"
        elif kind == "jsonb":
            values[name] = "'{}'::jsonb"
        else:
            raise RuntimeError(f"no default for {table}.{name} ({kind})")
    return ", ".join(values), ", ".join(values.values())


LOADED = [
    "opinions_opinion",
    "suggestions_suggestion",
    "suggestions_assignment",
    "suggestions_answer",
    "suggestions_evaluation",
    "suggestions_consultation",
]


def drop_secondary_indexes(cursor) -> list[str]:
    """Drop the loaded tables' plain indexes (not primary keys, unique constraints): building them once after the
    load is several times faster than maintaining them row by row. Returns their definitions."""
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = ANY(%s) AND i.indexdef NOT LIKE 'CREATE UNIQUE%%'""",
        [LOADED],
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def generate(n_opinions: int, n_suggestions: int) -> dict:
    """The history, INSERT … SELECT generate_series on the server. The session skips the foreign-key triggers
    (session_replication_role = replica: every id is drawn from the tables it points to) and builds the plain
    indexes after the load."""
    from django.db import connection

    timings = {}
    with connection.cursor() as c:
        c.execute("SELECT setseed(0.42)")
        c.execute("SET session_replication_role = replica")
        c.execute("SET synchronous_commit = off")
        c.execute("SET maintenance_work_mem = '1GB'")
        c.execute("SET work_mem = '256MB'")
        indexes = drop_secondary_indexes(c)
        start = time.perf_counter()
        cols, exprs = fill_defaults(
            c,
            "opinions_opinion",
            {
                "code": "'M' || lpad(g::text, 9, '0')",
                "query_password_hash": "'x'",
                "station_id": "st.ids[(1 + (g * 7919) % st.n)::int]",
                "category_id": "cat.ids[(1 + (g * 31) % cat.n)::int]",
                "channel": "(ARRAY['visit','visit','reception','qr','phone','letter','in_person'])[(1 + g % 7)::int]",
                "title": "'村口路灯不亮'",
                "content": "'村口路灯不亮，夜间出行不便，请求维修。'",
                "state": "(ARRAY['closed','closed','closed','reported_back','outcome_recorded','village_handling',"
                "'on_agenda','registered','answered_on_spot','not_accepted'])[(1 + (g * 13) % 10)::int]",
                "created_at": "now() - (((g * 104729) % 730) || ' days')::interval - ((g % 86400) || ' s')::interval",
            },
        )
        c.execute(
            f"""INSERT INTO opinions_opinion ({cols})
            SELECT {exprs} FROM generate_series(1::bigint, {int(n_opinions)}) g,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_station) st,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_category) cat"""
        )
        timings["opinions"] = time.perf_counter() - start

        start = time.perf_counter()
        cols, exprs = fill_defaults(
            c,
            "suggestions_suggestion",
            {
                "code": "'S' || lpad(g::text, 9, '0')",
                "title": "'关于修建河口桥的建议'",
                "cause": "'群众出行不便'",
                "proposals": "'建议修建河口桥'",
                "category_id": "cat.ids[(1 + (g * 17) % cat.n)::int]",
                "lead_deputy_id": "dep.ids[(1 + (g * 7) % dep.n)::int]",
                "level": "(ARRAY['county','township'])[(1 + g % 2)::int]",
                "body_id": "bod.ids[(1 + g % bod.n)::int]",
                "station_id": "st.ids[(1 + (g * 7919) % st.n)::int]",
                "region_id": "st.regions[(1 + (g * 7919) % st.n)::int]",
                "publishable": "true",
                "confidential": "false",
                "key_supervised": "g % 97 = 0",
                "round": "1",
                "rehandle_count": "0",
                "state": "(ARRAY['closed','closed','closed','closed','closed','evaluated','answered','handling',"
                "'assigned','submitted','rejected'])[(1 + (g * 11) % 11)::int]",
                "created_at": "now()",
                "submitted_at": "now() - (((g * 7727) % 730) || ' days')::interval",
            },
        )
        c.execute(
            f"""INSERT INTO suggestions_suggestion ({cols})
            SELECT {exprs} FROM generate_series(1::bigint, {int(n_suggestions)}) g,
              (SELECT array_agg(id ORDER BY id) ids, array_agg(region_id ORDER BY id) regions, count(*) n
                 FROM org_station) st,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_category) cat,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_deputy) dep,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_body) bod"""
        )
        c.execute(
            """UPDATE suggestions_suggestion SET accepted_at = submitted_at + interval '5 days',
                   assigned_on = (submitted_at + interval '7 days')::date
               WHERE state NOT IN ('submitted', 'rejected')"""
        )
        cols, exprs = fill_defaults(
            c,
            "suggestions_assignment",
            {
                "code": "'A' || lpad(s.id::text, 9, '0')",
                "suggestion_id": "s.id",
                "unit_id": "u.ids[(1 + s.id % u.n)::int]",
                "role": "'lead'",
                "state": "CASE WHEN s.state IN ('handling','assigned') THEN 'signed' ELSE 'answered' END",
                "start_date": "s.assigned_on",
                "assigned_on": "s.assigned_on",
                "due_date": "s.assigned_on + 90",
                "flag": "'green'",
            },
        )
        c.execute(
            f"""INSERT INTO suggestions_assignment ({cols})
            SELECT {exprs} FROM suggestions_suggestion s,
              (SELECT array_agg(id ORDER BY id) ids, count(*) n FROM org_handlingunit) u
            WHERE s.assigned_on IS NOT NULL"""
        )
        cols, exprs = fill_defaults(
            c,
            "suggestions_answer",
            {
                "assignment_id": "a.id",
                "suggestion_id": "a.suggestion_id",
                "round": "1",
                "answer_class": "(ARRAY['A','A','A','A','B','B','C','D'])[(1 + a.id % 8)::int]",
                "text": "'已列入计划，近期完成'",
                "signer": "'局长'",
                "on_time": "a.id % 10 <> 0",
                "created_at": "a.assigned_on + (20 + a.id % 100) * interval '1 day'",
            },
        )
        c.execute(
            f"""INSERT INTO suggestions_answer ({cols})
            SELECT {exprs} FROM suggestions_assignment a WHERE a.state = 'answered'"""
        )
        cols, exprs = fill_defaults(
            c,
            "suggestions_evaluation",
            {
                "suggestion_id": "s.id",
                "deputy_id": "s.lead_deputy_id",
                "round": "1",
                "process": "'satisfied'",
                "result": "(ARRAY['satisfied','satisfied','satisfied','satisfied','satisfied','satisfied','basic',"
                "'basic','satisfied','unsatisfied'])[(1 + s.id % 10)::int]",
                "created_at": "now()",
            },
        )
        c.execute(
            f"""INSERT INTO suggestions_evaluation ({cols})
            SELECT {exprs} FROM suggestions_suggestion s WHERE s.state IN ('closed', 'evaluated')"""
        )
        cols, exprs = fill_defaults(
            c,
            "suggestions_consultation",
            {
                "assignment_id": "a.id",
                "kind": "'phone'",
                "held_on": "a.assigned_on + 10",
                "notes": "'电话面商'",
                "created_at": "now()",
            },
        )
        c.execute(
            f"""INSERT INTO suggestions_consultation ({cols})
            SELECT {exprs} FROM suggestions_assignment a WHERE a.id % 5 <> 0"""
        )
        timings["suggestions"] = time.perf_counter() - start
        start = time.perf_counter()
        timings["skipped"] = []
        for definition in indexes:
            if " USING gin " in definition:  # the text search's, which no dashboard reads (bench/ledger.py's)
                timings["skipped"].append(definition.split(" ON ")[0].split()[-1])
                continue
            c.execute(definition)
        timings["indexes"] = time.perf_counter() - start
        c.execute("SET session_replication_role = origin")
        c.execute("ANALYZE")
    return timings


def measure(fn, warm: int = 2, runs: int = 20) -> dict:
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]
    return {"p50": statistics.median(samples), "p95": p95, "n": len(samples)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="tenth",
        help="full: 10,000,000 opinions / 1,000,000 suggestions (the target); tenth: 1,000,000 / 100,000",
    )
    parser.add_argument("--opinions", type=int, help="instead of the scale's")
    parser.add_argument("--suggestions", type=int, help="instead of the scale's")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--source-runs", type=int, default=3, help="runs of the (slow) source-table figures")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--no-record", action="store_true", help="print only, do not write docs/benchmarks.md")
    args = parser.parse_args()
    args.opinions = args.opinions or SCALES[args.scale][0]
    args.suggestions = args.suggestions or SCALES[args.scale][1]
    if not URL.startswith("postgres"):
        sys.exit("bench/dashboard.py needs PostgreSQL (DATABASE_URL=postgres://…)")

    create_database()
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import get_resolver

        from liaison.demo.cast import ACCOUNTS, create_account
        from liaison.demo.loader import load_demo
        from liaison.org.models import Region, Station
        from liaison.reports import independent, reads, rollups
        from liaison.reports import metrics as m
        from liaison.reports.models import MonthlyRollup, RegionMonthTotal

        assert get_resolver().url_patterns  # import every view now: a long run measures the code it started with
        call_command("migrate", verbosity=0)
        load_demo(steps=("org", "accounts"))  # the organisation only: the history is generated below
        t0 = time.perf_counter()
        gen = generate(args.opinions, args.suggestions)
        t_gen = time.perf_counter() - t0
        print(f"generated in {t_gen:.0f} s: {gen}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        rollups.rebuild()
        t_build = time.perf_counter() - t0
        n_rollups = MonthlyRollup.objects.count()
        n_regions = RegionMonthTotal.objects.count()
        print(f"rollups built in {t_build:.0f} s", file=sys.stderr, flush=True)
        with connection.cursor() as c:
            c.execute("SELECT pg_database_size(current_database())")
            db_size = c.fetchone()[0]

        city = Region.objects.get(level=Region.Level.CITY)
        county = max(
            Region.objects.filter(level=Region.Level.COUNTY),
            key=lambda r: Station.objects.filter(region__path__startswith=r.path).count(),
        )
        user = create_account(ACCOUNTS["city_staff"], username="bench_city", password="Bench@pass-2026")
        client = Client()
        client.force_login(user)

        def page(region):
            def get():
                r = client.get(f"/reports/region/{region.code}/")
                assert r.status_code == 200, r.status_code

            return get

        def page_queries(region) -> int:
            with CaptureQueriesContext(connection) as ctx:
                page(region)()
            return len(ctx.captured_queries)

        def dashboard_figures(filters):
            """What the page reads for its figures: the period, the previous one, series and categories, and the
            live overdue count."""
            overdue = reads.overdue_page(filters)
            return reads.period_data(filters, overdue=overdue.total).figs

        period = m.parse_period({})
        results = {}
        load = {"before": os.getloadavg()}
        for label, region in (("county", county), ("city", city)):
            results[f"{label}_page"] = measure(page(region), runs=args.runs)
            results[f"{label}_queries"] = page_queries(region)
            filters = m.Filters(period, region=region)
            results[f"{label}_rollup"] = measure(lambda f=filters: dashboard_figures(f), runs=args.runs)
            results[f"{label}_source"] = measure(
                lambda f=filters: m.figures_from_source(f), warm=0, runs=args.source_runs
            )
            print(f"{label}: {results[f'{label}_page']} / source {results[f'{label}_source']}", file=sys.stderr)
            # "figures equal": the dashboard's figures against the independent SQL recount (not against
            # figures_from_source, which shares the rollups' classification code and so their mistakes).
            t0 = time.perf_counter()
            b = independent.figures(period.start, period.end, region_path=region.path)
            results[f"{label}_independent_s"] = time.perf_counter() - t0
            differences = independent.differences(dashboard_figures(filters).as_dict(), b)
            results[f"{label}_equal"] = not differences
            results[f"{label}_differences"] = differences
        load["after"] = os.getloadavg()

        scale = f"{args.opinions:,} opinions and {args.suggestions:,} suggestions"
        if (args.opinions, args.suggestions) != SCALES["full"]:
            scale += " (reduced from the target 10,000,000 / 1,000,000: `--scale full` runs the target)"
        loads = " → ".join(f"{v[0]:.1f}/{v[1]:.1f}/{v[2]:.1f}" for v in load.values())
        lines = [
            f"Scale: {scale}, over 24 months and the 620 stations of the demo organisation. Generated in "
            f"{t_gen:.0f} s (target < 20 min: {'met' if t_gen < 1200 else 'missed'}) with INSERT … SELECT "
            f"generate_series, foreign-key triggers off and the plain indexes built after the load (opinions "
            f"{gen['opinions']:.0f} s, suggestions and their answers {gen['suggestions']:.0f} s, indexes "
            f"{gen['indexes']:.0f} s; the text-search GIN indexes, which no dashboard reads, left out: "
            f"{', '.join(gen['skipped']) or 'none'}); rollups rebuilt set-based in SQL in {t_build:.0f} s ({n_rollups:,} rollup "
            f"rows, {n_regions:,} region-month rows); database {db_size / 2**30:.1f} GiB. Period measured: the "
            f"default (last 12 months). County: {county.name}. Load average (1/5/15 min) before → after the "
            f"measurements: {loads} (the machine is shared).",
            "",
            "| measure | p50 ms | p95 ms | runs |",
            "|---|---:|---:|---:|",
        ]
        for label in ("county", "city"):
            for kind, text in (
                ("page", "dashboard page (HTTP, warm, whole page)"),
                ("rollup", "its figures from rollups (period, previous period, series, categories, overdue count)"),
                ("source", "same figures from source tables"),
            ):
                r = results[f"{label}_{kind}"]
                lines.append(f"| {label} {text} | {r['p50']:.0f} | {r['p95']:.0f} | {r['n']} |")
        lines.append("")
        for label in ("county", "city"):
            ratio = results[f"{label}_source"]["p50"] / results[f"{label}_rollup"]["p50"]
            target = "meets" if results[f"{label}_page"]["p95"] < 300 else "misses"
            lines.append(
                f"- {label}: source ÷ rollup = {ratio:,.0f}×; page p95 {results[f'{label}_page']['p95']:.0f} ms "
                f"({target} the 300 ms target), {results[f'{label}_queries']} queries per page (5 of them the "
                f"dashboard's, the rest session, user, scope and the rollups' freshness check); figures equal to "
                f"the independent SQL recount ({results[f'{label}_independent_s']:.1f} s): {results[f'{label}_equal']}"
                + (f" — {'; '.join(results[f'{label}_differences'])}" if results[f"{label}_differences"] else "")
            )
        body = "\n".join(lines)
        print(body)
        if not args.no_record:
            from bench._report import record

            record(SECTION, body)
        summary = {"opinions": args.opinions, "suggestions": args.suggestions, "rollup_rows": n_rollups}
        summary.update(generate_s=round(t_gen, 1), build_s=round(t_build, 1), load_average=load)
        for label in ("county", "city"):
            for kind in ("page", "rollup", "source"):
                r = results[f"{label}_{kind}"]
                summary[f"{label}_{kind}_p50_ms"] = round(r["p50"], 1)
                summary[f"{label}_{kind}_p95_ms"] = round(r["p95"], 1)
            summary[f"{label}_independent_s"] = round(results[f"{label}_independent_s"], 2)
            summary[f"{label}_page_queries"] = results[f"{label}_queries"]
            summary[f"{label}_figures_equal"] = results[f"{label}_equal"]
            summary[f"{label}_differences"] = results[f"{label}_differences"]
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
