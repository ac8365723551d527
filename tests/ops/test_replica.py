"""Reads from a streaming replica (liaison/ops/replica.py), against a real PostgreSQL hot standby.

The standby is the one `scripts/replica.sh start` makes (pg_basebackup of 127.0.0.1:5432, port 5433); the test
command starts it before the PostgreSQL suite. Without PostgreSQL or without the standby these tests skip, except
where LIAISON_REQUIRE_REPLICA=1 (CI) makes a missing standby a failure.
"""

import io
import os
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from openpyxl import load_workbook

from liaison.ops import replica as routing
from liaison.reports.rollups import refresh

REPLICA_PORT = int(os.environ.get("REPLICA_PORT", 5433))


def _standby_answers() -> bool:
    import psycopg

    try:
        with psycopg.connect(
            host="127.0.0.1", port=REPLICA_PORT, user="postgres", dbname="postgres", connect_timeout=2
        ) as c:
            return c.execute("select pg_is_in_recovery()").fetchone()[0]
    except psycopg.OperationalError:
        return False


@pytest.fixture
def standby(transactional_db, settings):
    """The 'replica' alias pointed at the standby's copy of this test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the read replica is a PostgreSQL feature; this run is on SQLite")
    if not _standby_answers():
        if os.environ.get("LIAISON_REQUIRE_REPLICA") == "1":
            pytest.fail(f"no PostgreSQL standby answers on 127.0.0.1:{REPLICA_PORT} (sh scripts/replica.sh start)")
        pytest.skip(f"no PostgreSQL standby on 127.0.0.1:{REPLICA_PORT}: run `sh scripts/replica.sh start`")
    _add_replica_alias(settings, REPLICA_PORT)
    control = _control_connection()
    yield control
    control.execute("select pg_wal_replay_resume()")
    control.close()
    _remove_replica_alias()


def _add_replica_alias(settings, port):
    """What DATABASE_REPLICA_URL does in settings.py, for this one test (the suite's databases are set up before)."""
    default = connections["default"].settings_dict
    config = {**default, "HOST": "127.0.0.1", "PORT": port, "CONN_MAX_AGE": 0}
    settings.DATABASES = {**settings.DATABASES, routing.REPLICA: config}
    connections.settings[routing.REPLICA] = connections.configure_settings({"default": default, "replica": config})[
        routing.REPLICA
    ]
    wrapper = connections[routing.REPLICA]

    # The test case only allows the aliases it was set up with; this one is the standby's copy of the same database.
    def ensure_connection():
        if wrapper.connection is None:
            with wrapper.wrap_database_errors:
                wrapper.connect()

    wrapper.ensure_connection = ensure_connection
    routing._health["checked"] = 0.0


def _remove_replica_alias():
    connections[routing.REPLICA].close()
    del connections[routing.REPLICA]
    del connections.settings[routing.REPLICA]
    routing._health["checked"] = 0.0


def _control_connection():
    import psycopg

    name = connections["default"].settings_dict["NAME"]
    return psycopg.connect(host="127.0.0.1", port=REPLICA_PORT, user="postgres", dbname=name, autocommit=True)


def _caught_up(control, timeout=30.0) -> None:
    with connection.cursor() as cursor:
        cursor.execute("select pg_current_wal_lsn()")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if control.execute("select pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]).fetchone()[0]:
            return
        time.sleep(0.05)
    raise AssertionError("the standby did not catch up")


def _export_titles(client) -> set[str]:
    response = client.get("/opinions/export.xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("标题")
    return {row[column] for row in rows[1:]}


def test_a_dashboard_is_read_from_the_replica_not_the_primary(cast, client_for, standby):
    refresh()
    _caught_up(standby)
    client = client_for(cast.staff)
    with CaptureQueriesContext(connections["replica"]) as on_replica, CaptureQueriesContext(connection) as on_primary:
        response = client.get("/reports/region/341722/")
    assert response.status_code == 200 and "石台县" in response.content.decode()
    assert any("reports_" in q["sql"] for q in on_replica.captured_queries)
    assert not [q["sql"] for q in on_primary.captured_queries if "reports_" in q["sql"]]


def test_a_user_sees_their_own_write_at_once_while_the_replica_lags(cast, client_for, standby):
    _caught_up(standby)
    standby.execute("select pg_wal_replay_pause()")  # the standby now lags behind by everything that follows
    writer, other = client_for(cast.officer), client_for(cast.officer)
    response = writer.post(
        "/opinions/new/",
        {
            "station": cast.station.pk,
            "channel": "phone",
            "title": "桥头路灯不亮",
            "content": "桥头两盏路灯坏了一个月。",
        },
    )
    assert response.status_code == 302 and routing.PIN_COOKIE in response.cookies
    assert "桥头路灯不亮" in _export_titles(writer)  # the writer's export comes from the primary
    assert "桥头路灯不亮" not in _export_titles(other)  # another browser's comes from the (paused) replica
    standby.execute("select pg_wal_replay_resume()")
    _caught_up(standby)
    assert "桥头路灯不亮" in _export_titles(other)


def test_pages_fall_back_to_the_primary_when_the_replica_is_down(cast, client_for, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the read replica is a PostgreSQL feature; this run is on SQLite")
    _add_replica_alias(settings, 1)  # nothing listens on port 1
    try:
        response = client_for(cast.staff).get("/reports/region/341722/")
        assert response.status_code == 200 and "石台县" in response.content.decode()
    finally:
        _remove_replica_alias()


@pytest.mark.parametrize(
    ("method", "path", "pinned", "expected"),
    [
        ("GET", "/reports/region/341722/", False, True),
        ("GET", "/opinions/export.xlsx", False, True),
        ("GET", "/public/341722/suggestions/", False, True),
        ("GET", "/reports/region/341722/", True, False),  # this browser wrote a moment ago
        ("POST", "/reports/region/341722/", False, False),
        ("GET", "/opinions/", False, False),  # the working ledger: people act on it
        ("GET", "/suggestions/review/", False, False),
    ],
)
def test_which_requests_may_read_from_the_replica(rf, method, path, pinned, expected):
    request = getattr(rf, method.lower())(path)
    if pinned:
        request.COOKIES[routing.PIN_COOKIE] = "1"
    request.resolver_match = resolve(path)
    assert routing.replica_eligible(request) is expected
