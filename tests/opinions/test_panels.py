import datetime

import pytest
from django.utils import timezone

from liaison.opinions import services
from tests.opinions.helpers import make_opinion

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
