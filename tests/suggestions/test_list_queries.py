"""The everyday lists at scale: the staff list's 超期 filter and a unit's inbox render with as many queries for a
page of many rows as for a page of two, and the partial indexes serving them follow the open states."""

import datetime as dt

import pytest
from django.utils import timezone

from liaison.suggestions.lifecycles import assignment as assignment_lifecycle
from liaison.suggestions.models import Assignment
from liaison.suggestions.services import supervision
from liaison.suggestions.views import common
from tests.queries import assert_flat_queries, count_queries

from .helpers import accepted, assigned, signed

pytestmark = pytest.mark.django_db


def past_every_due_date():
    supervision.run(today=timezone.localdate() + dt.timedelta(days=200))


def make(cast, i):
    """建议{i}: every third one only accepted (no assignment, never flagged), the others assigned to 住建局
    (signed when odd), half of those with a co-handler."""
    if i % 3 == 0:
        accepted(cast, title=f"建议{i}")
    else:
        (signed if i % 2 else assigned)(cast, title=f"建议{i}", co=i % 2 == 0)


def add(cast, first, n):
    for i in range(first, first + n):
        make(cast, i)
    past_every_due_date()


def overdue_titles(first, last):
    return [f"建议{i}" for i in range(first, last) if i % 3]


def test_the_red_flag_list_does_not_query_per_suggestion(cast, client_for):
    add(cast, 0, 3)
    response = assert_flat_queries(
        client_for(cast.staff), "/suggestions/", grow=lambda: add(cast, 3, 12), data={"flag": "red"}
    )
    page = response.content.decode()
    assert "共 10 件" in page
    assert all(title in page for title in overdue_titles(0, 15))
    assert "建议0<" not in page and "建议3<" not in page  # accepted only: nothing overdue


def test_the_inbox_does_not_query_per_assignment(cast, client_for):
    add(cast, 0, 3)
    page = assert_flat_queries(client_for(cast.unit_user), "/units/inbox/", grow=lambda: add(cast, 3, 12))
    page = page.content.decode()
    assert "共 10 件" in page and all(title in page for title in overdue_titles(0, 15))
    assert page.count(">超期</span>") == 10  # each row's red flag


@pytest.mark.parametrize(
    ("who", "url", "row"),
    [
        ("staff", "/suggestions/?flag=red", 'href="/suggestions/S'),
        ("unit_user", "/units/inbox/", "/units/assignments/"),
    ],
)
def test_a_longer_page_costs_no_more_queries(cast, client_for, monkeypatch, who, url, row):
    add(cast, 0, 15)
    client = client_for(getattr(cast, who))
    client.get(url)  # the session, the calendar: once per client, outside both counts
    counts = {}
    for size in (2, 20):
        monkeypatch.setattr(common, "PAGE_SIZE", size)
        queries, response = count_queries(client, url)
        page = response.content.decode()
        assert page.count(row) == min(size, 10) and "共 10 件" in page, size
        counts[size] = len(queries)
    assert counts[2] == counts[20]


def test_the_open_indexes_follow_the_open_states():
    conditions = {index.name: index.condition for index in Assignment._meta.indexes if index.condition}
    for name in ("assignment_open_by_due", "assignment_open_flagged"):
        (states,) = [value for key, value in conditions[name].children if key == "state__in"]
        assert set(states) == set(assignment_lifecycle.OPEN), name
