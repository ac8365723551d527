"""`manage.py loaddemo`: the whole demo (organisation, a year of history, models, rollups) as a new user meets it.

One test on purpose: the full demo takes about a minute to load, so everything is checked on one load.
"""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count

from liaison.events.audit import verify_audit
from liaison.org.models import Deputy, Region, Station, User
from liaison.suggestions.models import Assignment, CoSigner, Suggestion
from liaison.suggestions.selectors import suggestions_visible_to

pytestmark = pytest.mark.django_db


def test_it_loads_chizhou_with_a_year_of_history_and_work_for_every_demo_account(client):
    call_command("loaddemo", verbosity=0)
    # The organisation: Chizhou's real structure at a realistic size.
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
    joint = Station.objects.annotate(n=Count("villages")).filter(n__gte=2).select_related("region__parent__parent")
    assert joint.exists() and all(s.region.parent.parent.name == "贵池区" for s in joint)
    assert Deputy.objects.annotate(n=Count("mandates")).filter(n__gte=2).count() > 100
    assert set(Deputy.objects.values_list("mandates__level", flat=True)) == {
        "national",
        "provincial",
        "city",
        "county",
        "township",
    }
    # Suggestions in every state, with the showcase story closed and its lineage intact.
    assert 2000 <= Suggestion.objects.count() <= 5000
    states = set(Suggestion.objects.values_list("state", flat=True))
    assert {"draft", "submitted", "accepted", "handling", "answered", "closed", "rejected", "rehandling"} <= states
    assert Assignment.objects.filter(flag="red").exists()
    story = Suggestion.objects.get(title="关于维修缘溪村村口石桥并加装护栏的建议")
    assert story.state == "closed" and story.sources.count() == 2 and verify_audit().ok
    assert all(s.opinion.state == "outcome_recorded" for s in story.sources.select_related("opinion"))
    # Work waiting for the demo accounts.
    assert suggestions_visible_to(User.objects.get(username="shitai_staff")).filter(state="submitted").exists()
    assert Assignment.objects.filter(unit__code="U341722-ZJJ", state="assigned").exists()
    assert Suggestion.objects.filter(lead_deputy=User.objects.get(username="deputy").deputy, state="answered").exists()
    assert CoSigner.objects.filter(deputy=User.objects.get(username="deputy2").deputy, state="invited").exists()
    waiting = Assignment.objects.filter(unit__code="U341722-ZJJ", state="assigned").select_related("suggestion")
    for username, url, shown in [
        ("shitai_staff", "/suggestions/review/", "待审查的代表建议"),
        ("unit_zjj", "/units/inbox/", waiting.first().suggestion.title),
        ("deputy", f"/suggestions/{story.code}/", story.title),
        ("deputy", "/", "您好"),
        ("station_head", "/meetings/", "缘溪村"),
        ("shitai_staff", "/insight/topics/", "热点话题 · 石台县"),
        ("shitai_staff", "/insight/clusters/", "跨村综合比选 · 石台县"),
    ]:
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, (username, url)
        assert shown in response.content.decode(), (username, url, shown)
    # The county dashboard shows figures from the prebuilt rollups, and 办结率 drills down to its items.
    client.force_login(User.objects.get(username="shitai_staff"))
    page = client.get("/reports/region/341722/").content.decode()
    assert "办结率" in page
    link = re.search(r'href="(/reports/items/\?metric=closed_rate[^"]*)"', page)
    assert link and client.get(link.group(1).replace("&amp;", "&")).status_code == 200
    # --if-empty leaves a loaded database alone.
    call_command("loaddemo", "--if-empty", verbosity=0)
    assert Station.objects.count() <= 640
