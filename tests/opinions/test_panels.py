import datetime

import pytest
from django.utils import timezone

from liaison.opinions import services
from tests.opinions.helpers import make_opinion
from tests.queries import assert_flat_queries

pytestmark = pytest.mark.django_db


def test_it_shows_waiting_items_on_the_home_page(cast, client_for):
    a = make_opinion(cast, title="路灯不亮", deputy=cast.deputy, channel="reception")[0]
    text = client_for(cast.head).get("/").content.decode()
    assert "待会商的社情民意（1）" in text and "路灯不亮" in text and "召开本月会商" in text
    services.put_on_agenda(opinion=a, actor=cast.head)
    services.route_to_village(opinion=a, due_date=timezone.localdate() + datetime.timedelta(days=5), actor=cast.head)
    text = client_for(cast.village).get("/").content.decode()
    assert "交村两委办理的事项（1）" in text and "路灯不亮" in text
    services.record_outcome(opinion=a, text="已修好", actor=cast.village)
    text = client_for(cast.deputy_user).get("/").content.decode()
    assert "待我回访群众（1）" in text and "路灯不亮" in text


def test_it_explains_empty_panels(cast, client_for):
    assert "本站没有待处置的社情民意" in client_for(cast.officer).get("/").content.decode()
    assert "没有待回访的事项" in client_for(cast.deputy2_user).get("/").content.decode()
    assert "待会商" not in client_for(cast.unit_user).get("/").content.decode()


# --- query-count guards: the home page's panels do not query per item ----------------------------------------


def _home(cast, client_for, who, grow):
    grow(0, 3)
    return assert_flat_queries(client_for(getattr(cast, who)), "/", grow=lambda: grow(3, 12)).content.decode()


def test_it_shows_the_station_panels_without_a_query_per_item(cast, client_for):
    def grow(first, n):
        for i in range(first, first + n):
            make_opinion(cast, title=f"待会商{i}")

    text = _home(cast, client_for, "head", grow)
    assert "待会商的社情民意（15）" in text and "待会商0" in text


def test_it_shows_the_village_panel_without_a_query_per_item(cast, client_for):
    due = timezone.localdate() + datetime.timedelta(days=5)

    def grow(first, n):
        for i in range(first, first + n):
            o = make_opinion(cast, title=f"村办{i}")[0]
            services.put_on_agenda(opinion=o, actor=cast.head)
            services.route_to_village(opinion=o, due_date=due, actor=cast.head)

    text = _home(cast, client_for, "village", grow)
    assert "交村两委办理的事项（15）" in text and "村办0" in text


def test_it_shows_the_deputy_panels_without_a_query_per_item(cast, client_for):
    due = timezone.localdate() + datetime.timedelta(days=5)

    def grow(first, n):
        for i in range(first, first + n):
            done = make_opinion(cast, title=f"待回访{i}", deputy=cast.deputy, channel="reception")[0]
            services.put_on_agenda(opinion=done, actor=cast.head)
            services.route_to_village(opinion=done, due_date=due, actor=cast.head)
            services.record_outcome(opinion=done, text="已修好", actor=cast.village)
            draft = make_opinion(cast, title=f"待起草{i}")[0]
            services.put_on_agenda(opinion=draft, actor=cast.head)
            services.turn_into_suggestion(opinion=draft, drafting_deputy=cast.deputy, actor=cast.head)

    text = _home(cast, client_for, "deputy_user", grow)
    assert "待我回访群众（15）" in text and "待回访0" in text
    assert "会商交我起草建议的社情民意（15）" in text and "待起草0" in text
