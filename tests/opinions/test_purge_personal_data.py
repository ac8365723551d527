"""manage.py purge_personal_data: residents' personal data blanked once the retention limit after closing has
passed; statistics, events and the audit chain kept."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from liaison.events.audit import verify_audit
from liaison.events.models import Event
from liaison.opinions import services
from liaison.opinions.models import Opinion, ReportBack
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db

PHONE = "13800001111"


def closed(cast, *, days_ago, **kw):
    opinion, _ = make_opinion(cast, content=f"路灯坏了，请打我电话{PHONE}联系。", **kw)
    services.answer_on_spot(opinion=opinion, answer="已联系电工更换灯泡", actor=cast.officer)
    ReportBack.objects.filter(opinion=opinion).update(note=f"已致电{PHONE}告知")
    services.close_opinion(opinion=opinion, actor=cast.officer)
    Opinion.objects.filter(pk=opinion.pk).update(closed_at=timezone.now() - dt.timedelta(days=days_ago))
    opinion.refresh_from_db()
    return opinion


def run(*args) -> str:
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def items(cast):
    old = closed(cast, days_ago=1100, deputy=cast.deputy)
    recent = closed(cast, days_ago=1000)
    open_old, _ = make_opinion(cast, title="还在办")
    Opinion.objects.filter(pk=open_old.pk).update(created_at=timezone.now() - dt.timedelta(days=2000))
    return old, recent, open_old


def test_it_lists_without_purging_on_a_dry_run(cast, items):
    old, recent, open_old = items
    out = run("--dry-run")
    assert old.code in out and recent.code not in out and open_old.code not in out and "1 件" in out
    old.refresh_from_db()
    assert old.resident_phone == PHONE and old.purged_at is None


def test_it_blanks_the_residents_data_of_opinions_closed_over_three_years_ago(cast, items, client_for):
    old, recent, open_old = items
    before = {f: getattr(old, f) for f in ("station_id", "category_id", "deputy_id", "channel", "state", "created_at")}
    out = run()
    assert "已清除" in out and "1 件" in out
    old.refresh_from_db()
    assert old.resident_name == "" and old.resident_phone == "" and old.client_hash == "" and old.purged_at
    assert PHONE not in old.content and "138****1111" in old.content  # masked as public pages mask it
    assert PHONE not in ReportBack.objects.get(opinion=old).note
    assert {f: getattr(old, f) for f in before} == before and old.closed_at  # what the statistics count stays
    for other in (recent, open_old):
        other.refresh_from_db()
        assert other.resident_phone == PHONE and other.purged_at is None
    # The purge is on the record, and every chain still verifies.
    purge = Event.objects.get(subject_id=old.code, action="personal_data_purged")
    assert "保存期限（1095 天）" in purge.note and not purge.public
    assert verify_audit().problems == []
    page = client_for(cast.head).get(f"/opinions/{old.code}/").content.decode()
    assert "个人信息已按保存期限清除" in page and "查看完整联系方式" not in page


def test_it_purges_each_opinion_once(cast, items):
    old = items[0]
    run()
    assert "0 件" in run()
    assert Event.objects.filter(subject_id=old.code, action="personal_data_purged").count() == 1


def test_it_takes_the_limit_from_the_setting_or_the_option(cast, items, settings):
    old, recent, _ = items
    settings.PERSONAL_DATA_RETENTION_DAYS = 5000
    assert "0 件" in run("--dry-run")
    assert recent.code in run("--dry-run", "--days", "900")


def test_the_worker_runs_it_daily(cast, items, monkeypatch):
    from liaison.notify.management.commands import worker

    jobs = [job for job in worker.PERIODIC_JOBS if job[0] == "purge_personal_data"]
    assert jobs == [("purge_personal_data", 86400)]
    monkeypatch.setattr(worker, "PERIODIC_JOBS", jobs)  # the other jobs have tests of their own
    call_command("worker", stdout=StringIO())
    items[0].refresh_from_db()
    assert items[0].purged_at is not None
