"""Set-based rollup builds (INSERT … SELECT), one SQL text for SQLite and PostgreSQL with a few vendor spellings.

- `rebuild_all()`: the full rebuild of MonthlyRollup and StationMonthTotal from the source tables. It counts what
  `rollups.build(None)` counts (the classification constants of metrics.py, read when it runs; per suggestion the
  facts of `metrics.annotate_suggestions` and the days of `metrics.answer_days`, spelled in SQL and computed by
  grouping answers, evaluations and consultations once instead of subqueries per item), so `rollups.recount()` —
  which rebuilds with the per-item code — finds no difference (tests/reports/test_dashboard_reads.py, and the
  property test of test_property.py, compare the two).
  At ten million opinions this takes minutes instead of hours.
- `store_regions(months)`: RegionMonthTotal (month × city/county/township × category) from MonthlyRollup, for the
  given months or all; called after every full or incremental store.

Months and local dates use Django's own time-zone SQL (`connection.ops`), as `TruncMonth` does.
"""

from django.conf import settings
from django.db import connection

from liaison.org.models import Region
from liaison.suggestions.models import Evaluation

from . import metrics as m
from .models import COLUMNS, OPINION_COLUMNS

KEY = ["month", "region_id", "station_id", "category_id", "level", "body_id"]


def _lit(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(_lit(v) for v in values) + ")"


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _inline(sql: str, params) -> str:
    return sql % tuple(_lit(p) for p in params)


def _localdate(column: str) -> str:
    tz = settings.TIME_ZONE if settings.USE_TZ else None
    return _inline(*connection.ops.datetime_cast_date_sql(column, (), tz))


def _month(date_sql: str) -> str:
    return f"CAST(date_trunc('month', {date_sql}) AS date)" if _pg() else f"date({date_sql}, 'start of month')"


def _make_month(year: str, month: str) -> str:
    return f"make_date({year}, {month}, 1)" if _pg() else f"printf('%04d-%02d-01', {year}, {month})"


def _days(later: str, earlier: str) -> str:
    if _pg():
        return f"GREATEST(0, {later} - {earlier})"
    return f"MAX(0, CAST(julianday({later}) - julianday({earlier}) AS INTEGER))"


def _hist_entries(alias: str) -> tuple[str, str, str]:
    """(FROM clause part, key, count) expanding `alias.days_hist` into one row per day."""
    if _pg():
        return f"CROSS JOIN LATERAL jsonb_each_text({alias}.days_hist) e", "e.key", "CAST(e.value AS BIGINT)"
    return f"CROSS JOIN json_each({alias}.days_hist) e", "e.key", "CAST(e.value AS INTEGER)"


def _object_agg(key: str, value: str) -> str:
    return f"CAST(jsonb_object_agg({key}, {value}) AS TEXT)" if _pg() else f"json_group_object({key}, {value})"


def _json(text_sql: str) -> str:
    return f"CAST({text_sql} AS jsonb)" if _pg() else text_sql


def _columns(values: dict) -> str:
    return ", ".join(f"{values.get(c, '0')} AS {c}" for c in COLUMNS)


def _sums(alias: str = "u") -> str:
    return ", ".join(f"COALESCE(SUM({alias}.{c}), 0)" for c in COLUMNS)


# --- helper tables -------------------------------------------------------------------------------------------


def _regions(cursor) -> None:
    """rollup_region (id, path, county_id, township_id) and rollup_anc (region_id, ancestor_id): every region with
    each city/county/township whose subtree holds it (itself included), i.e. `path__startswith`."""
    rows = list(Region.objects.values_list("id", "path", "level"))
    by_path = {path: (pk, level) for pk, path, level in rows}
    info, anc = [], []
    for pk, path, _level in rows:
        county = township = None
        parts = path.strip("/").split("/")
        for i in range(len(parts)):
            prefix = "/".join(parts[: i + 1]) + "/"
            rid, level = by_path.get(prefix, (None, None))
            if rid is None:
                continue
            if level == Region.Level.COUNTY:
                county = rid
            elif level == Region.Level.TOWNSHIP:
                township = rid
            if level != Region.Level.VILLAGE:
                anc.append((pk, rid))
        info.append((pk, path, county, township))
    for table in ("rollup_region", "rollup_anc"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        "CREATE TEMP TABLE rollup_region (id bigint PRIMARY KEY, path varchar(200), county_id bigint, township_id bigint)"
    )
    cursor.execute("CREATE TEMP TABLE rollup_anc (region_id bigint, ancestor_id bigint)")
    cursor.executemany("INSERT INTO rollup_region VALUES (%s, %s, %s, %s)", info)
    cursor.executemany("INSERT INTO rollup_anc VALUES (%s, %s)", anc)
    cursor.execute("CREATE INDEX rollup_anc_region ON rollup_anc (region_id)")


def _drop(cursor, *tables) -> None:
    for table in tables:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


# --- the full rebuild ----------------------------------------------------------------------------------------


def _suggestion_facts(cursor) -> None:
    """rollup_sg: one row per submitted suggestion with its cell key, 0/1 per column and days to first answer."""
    accepted_at = _localdate("s.accepted_at")
    start = f"COALESCE(s.assigned_on, {accepted_at})"
    answered = "a.suggestion_id IS NOT NULL"
    satisfied, unsatisfied = _lit(Evaluation.Rating.SATISFIED), _lit(Evaluation.Rating.UNSATISFIED)
    cursor.execute(
        f"""CREATE TEMP TABLE rollup_sg AS
        SELECT {_month(_localdate("s.submitted_at"))} AS month, s.region_id, s.station_id, s.category_id, s.level,
          s.body_id,
          CASE WHEN s.state IN {_in(m.ACCEPTED_STATES)} THEN 1 ELSE 0 END AS sg_accepted,
          CASE WHEN s.state IN {_in(m.CLOSED_SUGGESTION)} THEN 1 ELSE 0 END AS sg_closed,
          CASE WHEN {answered} THEN 1 ELSE 0 END AS sg_answered,
          CASE WHEN {answered} AND a.late = 0 THEN 1 ELSE 0 END AS sg_on_time,
          CASE WHEN e.suggestion_id IS NOT NULL THEN 1 ELSE 0 END AS sg_evaluated,
          CASE WHEN e.suggestion_id IS NOT NULL AND e.last_unsat = 0 THEN 1 ELSE 0 END AS sg_satisfied,
          CASE WHEN e.first_eval = 1 AND e.first_not_sat = 0 THEN 1 ELSE 0 END AS sg_first_satisfied,
          CASE WHEN {answered} AND l.answer_class = 'A' THEN 1 ELSE 0 END AS sg_class_a,
          CASE WHEN {answered} AND c.suggestion_id IS NOT NULL THEN 1 ELSE 0 END AS sg_consulted,
          CASE WHEN {answered} AND {start} IS NOT NULL
               THEN {_days(_localdate("a.first_at"), start)} END AS days
        FROM suggestions_suggestion s
        LEFT JOIN (SELECT suggestion_id, MAX(CASE WHEN NOT on_time THEN 1 ELSE 0 END) AS late,
                          MIN(created_at) AS first_at
                   FROM suggestions_answer GROUP BY suggestion_id) a ON a.suggestion_id = s.id
        LEFT JOIN (SELECT suggestion_id, answer_class FROM (
                     SELECT suggestion_id, answer_class, ROW_NUMBER() OVER (
                       PARTITION BY suggestion_id ORDER BY round DESC, created_at DESC, id DESC) AS rn
                     FROM suggestions_answer) x WHERE rn = 1) l ON l.suggestion_id = s.id
        LEFT JOIN (SELECT suggestion_id,
                          MAX(CASE WHEN round = 1 THEN 1 ELSE 0 END) AS first_eval,
                          MAX(CASE WHEN round = 1 AND result <> {satisfied} THEN 1 ELSE 0 END) AS first_not_sat,
                          MAX(CASE WHEN round = last_round AND result = {unsatisfied} THEN 1 ELSE 0 END) AS last_unsat
                   FROM (SELECT suggestion_id, round, result,
                                MAX(round) OVER (PARTITION BY suggestion_id) AS last_round
                         FROM suggestions_evaluation) y
                   GROUP BY suggestion_id) e ON e.suggestion_id = s.id
        LEFT JOIN (SELECT DISTINCT sa.suggestion_id FROM suggestions_consultation sc
                   JOIN suggestions_assignment sa ON sa.id = sc.assignment_id) c ON c.suggestion_id = s.id
        WHERE s.submitted_at IS NOT NULL"""
    )


def _parts() -> list[str]:
    """The SELECTs whose rows, summed per cell key, are the MonthlyRollup rows (key, COLUMNS, hist text)."""
    opinion_cols = {
        "op_received": "COUNT(*)",
        **{col: f"SUM(CASE WHEN o.channel = {_lit(ch)} THEN 1 ELSE 0 END)" for col, ch in m.CHANNEL_COLUMNS.items()},
        "op_concluded": f"SUM(CASE WHEN o.state IN {_in(m.CONCLUDED)} THEN 1 ELSE 0 END)",
        "op_reported_back": f"SUM(CASE WHEN o.state IN {_in(m.REPORTED_BACK)} THEN 1 ELSE 0 END)",
    }
    assert set(opinion_cols) == set(OPINION_COLUMNS)
    decision_cols = {
        col: f"SUM(CASE WHEN ai.decision = {_lit(d)} THEN 1 ELSE 0 END)" for col, d in m.DECISION_KINDS.items()
    }
    flags = ["sg_accepted", "sg_closed", "sg_answered", "sg_on_time", "sg_evaluated", "sg_satisfied"]
    flags += ["sg_first_satisfied", "sg_class_a", "sg_consulted"]
    suggestion_cols = {
        "sg_raised": "COUNT(*)",
        **{col: f"SUM({col})" for col in flags},
        "sg_days_sum": "COALESCE(SUM(days), 0)",
        "sg_days_n": "SUM(CASE WHEN days IS NOT NULL THEN 1 ELSE 0 END)",
    }
    sg_key = ", ".join(KEY)
    return [
        f"""SELECT {_month(_localdate("o.created_at"))} AS month, st.region_id, o.station_id, o.category_id,
              '' AS level, CAST(NULL AS bigint) AS body_id, {_columns(opinion_cols)}, NULL AS h
            FROM opinions_opinion o JOIN org_station st ON st.id = o.station_id GROUP BY 1, 2, 3, 4""",
        f"""SELECT {_make_month("m.year", "m.month")} AS month, st.region_id, m.station_id, op.category_id,
              '' AS level, CAST(NULL AS bigint) AS body_id, {_columns(decision_cols)}, NULL AS h
            FROM meetings_agendaitem ai JOIN meetings_meeting m ON m.id = ai.meeting_id
            JOIN org_station st ON st.id = m.station_id LEFT JOIN opinions_opinion op ON op.id = ai.opinion_id
            WHERE ai.decision <> '' GROUP BY 1, 2, 3, 4""",
        f"SELECT {sg_key}, {_columns(suggestion_cols)}, NULL AS h FROM rollup_sg GROUP BY {sg_key}",
        f"""SELECT {sg_key}, {_columns({})}, {_object_agg("CAST(days AS TEXT)", "n")} AS h
            FROM (SELECT {sg_key}, days, COUNT(*) AS n FROM rollup_sg WHERE days IS NOT NULL
                  GROUP BY {sg_key}, days) d
            GROUP BY {sg_key}""",
    ]


def rebuild_all() -> int:
    """Replace every MonthlyRollup, StationMonthTotal and RegionMonthTotal row; the number of MonthlyRollup rows.
    Call inside a transaction."""
    cols = ", ".join(COLUMNS)
    with connection.cursor() as c:
        _regions(c)
        _drop(c, "rollup_sg")
        _suggestion_facts(c)
        for table in ("reports_monthlyrollup", "reports_stationmonthtotal", "reports_regionmonthtotal"):
            c.execute(f"DELETE FROM {table}")  # not TRUNCATE: refused after writes in the same transaction
        union = "\n UNION ALL ".join(_parts())
        c.execute(
            f"""INSERT INTO reports_monthlyrollup (month, region_id, region_path, county_id, township_id, station_id,
                  category_id, level, body_id, {cols}, days_hist)
            SELECT u.month, u.region_id, r.path, r.county_id, r.township_id, u.station_id, u.category_id, u.level,
                   u.body_id, {_sums()}, {_json("COALESCE(MAX(u.h), '{}')")}
            FROM ({union}) u JOIN rollup_region r ON r.id = u.region_id
            GROUP BY u.month, u.region_id, r.path, r.county_id, r.township_id, u.station_id, u.category_id, u.level,
                     u.body_id"""
        )
        c.execute("SELECT COUNT(*) FROM reports_monthlyrollup")
        n = c.fetchone()[0]
        _rollup_into(
            c,
            "reports_stationmonthtotal",
            ["month", "region_id", "region_path", "county_id", "township_id", "station_id"],
            "",
        )
        _store_regions(c, None)
        _drop(c, "rollup_sg", "rollup_region", "rollup_anc")
    return n


def _rollup_into(cursor, table: str, key: list[str], join: str, where: str = "", source_key: list[str] | None = None):
    """INSERT INTO `table` the MonthlyRollup rows (r) summed per `key` (expressions `source_key`), their day
    histograms merged."""
    cols = ", ".join(COLUMNS)
    source_key = source_key or [f"r.{k}" for k in key]
    selected = ", ".join(f"{s} AS {k}" for s, k in zip(source_key, key, strict=True))
    positions = ", ".join(str(i + 1) for i in range(len(key)))
    names = ", ".join(key)
    hist_from, day, count = _hist_entries("r")
    cond = f"WHERE {where}" if where else ""
    cond_hist = f"WHERE r.sg_days_n > 0 {'AND ' + where if where else ''}"
    cursor.execute(
        f"""INSERT INTO {table} ({names}, {cols}, days_hist)
        SELECT {names}, {_sums()}, {_json("COALESCE(MAX(u.h), '{}')")}
        FROM (SELECT {selected}, {", ".join(f"r.{c}" for c in COLUMNS)}, NULL AS h
              FROM reports_monthlyrollup r {join} {cond}
              UNION ALL
              SELECT {names}, {_columns({})}, {_object_agg("d", "n")} AS h
              FROM (SELECT {selected}, {day} AS d, SUM({count}) AS n
                    FROM reports_monthlyrollup r {join} {hist_from} {cond_hist}
                    GROUP BY {positions}, {day}) x
              GROUP BY {names}) u
        GROUP BY {names}"""
    )


def _store_regions(cursor, months) -> None:
    where = ""
    delete = "DELETE FROM reports_regionmonthtotal"
    if months is not None:
        if not months:
            return
        dates = _in(m.isoformat() for m in sorted(months))
        where, delete = f"r.month IN {dates}", f"{delete} WHERE month IN {dates}"
    cursor.execute(delete)
    _rollup_into(
        cursor,
        "reports_regionmonthtotal",
        ["month", "region_id", "category_id"],
        "JOIN rollup_anc a ON a.region_id = r.region_id",
        where,
        source_key=["r.month", "a.ancestor_id", "r.category_id"],
    )


def store_regions(months=None) -> None:
    """Recompute RegionMonthTotal for these months (all when None) from MonthlyRollup."""
    with connection.cursor() as c:
        _regions(c)
        _store_regions(c, months)
        _drop(c, "rollup_region", "rollup_anc")
