import pytest
from django.core.management import call_command
from django.db.models import Count

from liaison.org.models import Deputy, Region, Station, User

pytestmark = pytest.mark.django_db


def test_it_loads_chizhou_at_a_realistic_size():
    call_command("loaddemo", verbosity=0)
    assert 600 <= Station.objects.count() <= 640
    assert 4500 <= Deputy.objects.count() <= 5500
    names = set(Region.objects.values_list("name", flat=True))
    assert {
        "贵池区",
        "东至县",
        "石台县",
        "青阳县",
        "九华山风景区",
        "仁里镇",
        "缘溪村",
        "七都镇",
        "新棚村",
        "小河镇",
        "龙山村",
        "东庄村",
        "丁香镇",
        "矶滩乡",
        "仙寓镇",
        "洋湖镇",
        "杜村乡",
    } <= names
    joint = Station.objects.annotate(n=Count("villages")).filter(n__gte=2)
    assert joint.exists() and all(
        s.region.parent.parent.name == "贵池区" for s in joint.select_related("region__parent__parent")
    )
    two_levels = Deputy.objects.annotate(n=Count("mandates")).filter(n__gte=2).count()
    assert two_levels > 100
    levels = set(Deputy.objects.values_list("mandates__level", flat=True))
    assert levels == {"national", "provincial", "city", "county", "township"}
    assert User.objects.filter(username__in=["admin", "shitai_staff", "deputy", "unit_zjj"]).count() == 4
    # --if-empty leaves a loaded database alone
    call_command("loaddemo", "--if-empty", verbosity=0)
    assert Station.objects.count() <= 640
