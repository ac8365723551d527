"""The opinion lifecycle's rules hold when a service is called directly, as the API and commands do."""

import datetime

import pytest
from django.utils import timezone

from liaison.lib.errors import NotAllowed
from liaison.opinions import lifecycle, services
from liaison.opinions.models import Opinion, Visit
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
S = Opinion.State


def test_it_lists_only_transitions_the_table_allows():
    for action, (sources, target) in lifecycle.ACTIONS.items():
        for source in sources:
            assert target in lifecycle.TRANSITIONS[source], action


def test_it_refuses_an_answer_from_a_handling_unit_or_an_outsider(cast):
    opinion, _ = make_opinion(cast)
    for user in (cast.unit_user, cast.outsider, cast.village):
        with pytest.raises(NotAllowed):
            services.answer_on_spot(opinion=opinion, answer="已处理", actor=user)
    opinion.refresh_from_db()
    assert opinion.state == S.REGISTERED
    services.answer_on_spot(opinion=opinion, answer="已处理", actor=cast.deputy_user)
    assert Opinion.objects.get(pk=opinion.pk).state == S.REPORTED_BACK


def test_it_lets_only_the_stations_village_committee_record_a_village_outcome(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.head)
    services.route_to_village(opinion=opinion, due_date=timezone.localdate(), actor=cast.head)
    with pytest.raises(NotAllowed):
        services.record_outcome(opinion=opinion, text="已修好", actor=cast.unit_user)
    services.record_outcome(opinion=opinion, text="已修好", actor=cast.village)
    assert Opinion.objects.get(pk=opinion.pk).state == S.OUTCOME_RECORDED


def test_it_leaves_meeting_decisions_to_the_chair(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.officer)
    with pytest.raises(NotAllowed):
        services.mark_not_feasible(opinion=opinion, reason="资金不足", actor=cast.officer)
    services.mark_not_feasible(opinion=opinion, reason="资金不足", actor=cast.head)
    assert Opinion.objects.get(pk=opinion.pk).state == S.NOT_FEASIBLE


def test_it_refuses_registration_at_a_station_out_of_the_actors_scope(cast):
    with pytest.raises(NotAllowed):
        make_opinion(cast, station=cast.other_station, actor=cast.officer)
    with pytest.raises(NotAllowed):
        make_opinion(cast, actor=cast.unit_user)
    assert not Opinion.objects.exists()


def test_it_logs_a_visit_only_for_the_deputy_themself(cast):
    visit = {
        "deputy": cast.deputy,
        "station": cast.station,
        "kind": Visit.Kind.DOOR,
        "date": timezone.localdate() - datetime.timedelta(days=1),
        "place": "缘溪村三组",
        "opinions": [{"title": "水渠", "content": "三组水渠堵塞"}],
    }
    for user in (cast.deputy2_user, cast.officer):
        with pytest.raises(NotAllowed):
            services.log_visit(actor=user, **visit)
    assert not Visit.objects.exists()
    services.log_visit(actor=cast.deputy_user, **visit)
    assert Visit.objects.count() == 1 and Opinion.objects.get().deputy == cast.deputy


def test_it_offers_each_role_its_own_steps(cast):
    opinion, _ = make_opinion(cast)
    # At intake the station may also merge a repeat of a known matter (its page lists the likely duplicates).
    assert lifecycle.allowed_actions(cast.head, opinion) == {"answer", "refuse", "put_on_agenda", "mark_duplicate"}
    assert lifecycle.allowed_actions(cast.officer, opinion) == {"answer", "refuse", "put_on_agenda", "mark_duplicate"}
    assert lifecycle.allowed_actions(cast.deputy_user, opinion) == {"answer", "refuse"}
    assert lifecycle.allowed_actions(cast.village, opinion) == set()
    assert lifecycle.allowed_actions(cast.unit_user, opinion) == set()
