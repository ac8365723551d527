"""`manage.py loaddemo`: the whole demo (organisation, a year of history, models, rollups) as a new user meets it.

One test on purpose: the full demo takes about a minute to load, so everything is checked on one load.
"""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import Count
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from liaison.events.audit import verify_audit
from liaison.org.models import Deputy, Region, Station, User
from liaison.suggestions.models import Assignment, CoSigner, ReplyLetterScan, Suggestion
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
    _the_loops_papers(client)
    _the_units_year_end_scoring(client)


def _as(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def _the_loops_papers(client):
    """unit_zjj downloads the 答复函 of the answer waiting for 王建国 (class at the top right) and uploads its sealed
    scan; the deputy sees both; shitai_staff enters his returned paper form and the item moves on."""
    s = Suggestion.objects.get(title="关于缘溪村主干道增设路灯的建议", state="answered")
    answer = s.answers.select_related("assignment").get()
    letter = f"/suggestions/{s.code}/answers/{answer.pk}/letter.docx"
    response = _as(client, "unit_zjj").get(letter)
    assert response.status_code == 200
    first = Document(io.BytesIO(response.content)).paragraphs[0]
    assert (first.text, first.alignment) == (f"{answer.answer_class}类", WD_ALIGN_PARAGRAPH.RIGHT)
    scan = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        f"/units/assignments/{answer.assignment.code}/scan/", {"answer": answer.pk, "scan": scan}, follow=True
    )
    assert response.status_code == 200 and ReplyLetterScan.objects.filter(answer=answer).exists()
    detail = _as(client, "deputy").get(f"/suggestions/{s.code}/").content.decode()
    assert letter in detail and f"/suggestions/{s.code}/answers/{answer.pk}/scan/" in detail
    assert client.get(f"/suggestions/{s.code}/answers/{answer.pk}/scan/").status_code == 200

    staff = _as(client, "shitai_staff")
    deputy = User.objects.get(username="deputy").deputy
    form = staff.get(f"/suggestions/{s.code}/feedback/{deputy.code}.docx")
    assert (
        form.status_code == 200
        and Document(io.BytesIO(form.content)).paragraphs[0].text == "代表建议办理情况征求意见表"
    )
    response = staff.post(
        f"/suggestions/{s.code}/evaluate/paper/",
        {"deputy": deputy.pk, "process": "satisfied", "result": "satisfied", "comment": "路灯已亮"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == "evaluated" and s.evaluations.get().source == "paper"


def _the_units_year_end_scoring(client):
    """石台县's page lists its units with figures that drill down to as many items, and `recount` confirms them."""
    staff = _as(client, "shitai_staff")
    response = staff.get("/reports/units/341722/")
    assert response.status_code == 200
    rows = {r["unit"].code: r for r in response.context["rows"]}
    assert {"U341722-ZJJ", "U341722-JTJ"} <= set(rows) and all(code.startswith("U341722") for code in rows)
    zjj = rows["U341722-ZJJ"]
    assert zjj["values"]["handled"] > 0 and zjj["score"] is not None
    for link in zjj["links"]:
        listed = staff.get(link["url"]).context["page"].paginator.count
        if link["figure"].is_rate:
            num = staff.get(link["num_url"]).context["page"].paginator.count
            assert (num, listed) == zjj["parts"][link["figure"].key], link["figure"].key
        elif link["figure"].key != "overdue_days":
            assert listed == zjj["values"][link["figure"].key], link["figure"].key
    out = io.StringIO()
    call_command("refresh_rollups", stdout=out)  # the paper form above moved an item on since the demo's build
    call_command("recount", stdout=out)
    assert "承办单位办理工作考核的各项数字与独立重算一致" in out.getvalue()
