import pytest
from django.core.management import CommandError, call_command

from liaison.reports import metrics as m
from liaison.reports.models import MonthlyRollup

from . import history as h


def test_it_finds_no_difference_after_refresh(cast, march, capsys):
    call_command("refresh_rollups")  # first run: full build
    h.opinion(cast.station, h.at(2026, 3, 9), channel="letter", state="closed")
    h.suggestion(cast, h.at(2026, 3, 9), state="closed", answers=[("A", True, 5, 1)])
    call_command("refresh_rollups")
    figs = m.figures(m.Filters(m.Period.month(m.dt.date(2026, 3, 1)), region=cast.shitai))
    assert figs.value("op_letter") == 1 and figs.value("closed") == 4
    call_command("recount")
    assert "没有差异" in capsys.readouterr().out


def test_it_reports_a_difference_and_fails(cast, march):
    call_command("refresh_rollups", "--full")
    h.opinion(cast.station, h.at(2026, 3, 9), event=False)  # written behind the event log's back
    MonthlyRollup.objects.filter(op_received__gt=0).first().delete()
    with pytest.raises(CommandError, match="差异"):
        call_command("recount")
    call_command("recount")  # rebuilt: consistent now
