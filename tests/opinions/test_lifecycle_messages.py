"""What a refused user reads, and who may record a referred opinion's outcome: the opinion lifecycle, asked directly."""

import pytest
from django.utils import timezone

from liaison.lib.errors import NotAllowed
from liaison.opinions import lifecycle, services
from liaison.opinions.models import Opinion, Visit
from tests.opinions.helpers import make_opinion

pytestmark = pytest.mark.django_db
S = Opinion.State


def _referred(cast):
    opinion, _ = make_opinion(cast)
    services.put_on_agenda(opinion=opinion, actor=cast.officer)
    services.refer_opinion(opinion=opinion, unit=cast.unit, actor=cast.head)
    return opinion


def test_it_lets_the_stations_writers_record_a_referred_opinions_outcome(cast):
    opinion = _referred(cast)
    for user in (cast.village, cast.deputy_user, cast.unit_user, cast.outsider):
        assert not lifecycle.may(user, "outcome", opinion)
    assert lifecycle.may(cast.officer, "outcome", opinion)
    assert lifecycle.allowed_actions(cast.officer, opinion) == {"outcome"}
    services.record_outcome(opinion=opinion, text="住建局已安排维修", actor=cast.officer)
    assert Opinion.objects.get(pk=opinion.pk).state == S.OUTCOME_RECORDED


def test_it_says_who_may_take_each_refused_step(cast):
    opinion, _ = make_opinion(cast)
    with pytest.raises(NotAllowed, match="^只有本站的联络员、站长、进站代表或人大工作人员可以答复$"):
        lifecycle.require(cast.unit_user, "answer", opinion)
    with pytest.raises(NotAllowed, match="^只有联络员、站长或人大工作人员可以列入会商议题$"):
        lifecycle.require(cast.unit_user, "put_on_agenda", opinion)
    services.put_on_agenda(opinion=opinion, actor=cast.officer)
    # The meeting decisions share one sentence: the consultation's chair takes them.
    with pytest.raises(NotAllowed, match="^只有主持会商的站长或人大工作人员可以作出会商决定$"):
        lifecycle.require(cast.officer, "refer", opinion)
    with pytest.raises(NotAllowed, match="^只有联络员、站长或人大工作人员可以登记社情民意$"):
        lifecycle.require_register(cast.unit_user, cast.station)


def test_it_names_an_unknown_step_when_asked_about_it(cast):
    opinion, _ = make_opinion(cast)
    with pytest.raises(KeyError, match="fly_away"):
        lifecycle.may(cast.officer, "fly_away", opinion)


def test_it_lets_an_administrator_log_a_visit_for_a_deputy_but_not_another_deputy(cast):
    visit_args = {
        "station": cast.station,
        "kind": Visit.Kind.DOOR,
        "date": timezone.localdate(),
        "place": "缘溪村二组",
        "opinions": [{"title": "水渠", "content": "二组水渠堵了，下雨就漫到路上。"}],
    }
    with pytest.raises(NotAllowed, match="^只有人大代表本人可以登记走访$"):
        services.log_visit(deputy=cast.deputy, actor=cast.deputy2.user, **visit_args)
    visit, created = services.log_visit(deputy=cast.deputy, actor=cast.admin, **visit_args)
    assert visit.deputy == cast.deputy and len(created) == 1
