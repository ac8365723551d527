"""The suggestion page's 全过程记录: each state change in the words of the thing that changed."""

import datetime as dt

import pytest
from django.conf import settings

from liaison.suggestions import services

from .helpers import assigned, draft, signed

pytestmark = pytest.mark.django_db


def timeline_of(client, suggestion) -> str:
    html = client.get(f"/suggestions/{suggestion.code}/").content.decode()
    return html[html.index("全过程记录") :]


def test_it_names_the_states_of_a_drafted_and_co_signed_suggestion_in_chinese(cast, client_for):
    s = draft(cast)
    services.invite_cosigners(
        suggestion=s, actor=cast.deputy_user, deputies=[cast.deputy2], deadline=dt.date.today() + dt.timedelta(days=5)
    )
    services.respond_cosign(suggestion=s, actor=cast.deputy2_user, accept=True)
    s.refresh_from_db()
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    text = timeline_of(client_for(cast.deputy_user), s)
    assert "草稿 → 征集附议" in text and "征集附议 → 已提交待审查" in text and "已提交待审查 → 已立案待交办" in text
    assert "附议：已邀请 → 已附议" in text
    for raw in ("draft →", "→ cosigning", "invited →", "→ submitted", "→ accepted"):
        assert raw not in text


def test_it_tells_a_units_return_from_the_suggestions_return(cast, client_for):
    s, lead, co = assigned(cast)
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于本单位职责")
    text = timeline_of(client_for(cast.staff), s)
    assert "石台县住房和城乡建设局（主办）：待签收 → 已退回" in text  # the unit's assignment
    assert "已交办 → 已退回待重新交办" in text  # the suggestion itself
    assert "assigned → returned" not in text


def test_it_names_an_extension_requests_states(cast, client_for):
    s, lead, _co = signed(cast, co=False)
    request = services.request_extension(assignment=lead, actor=cast.unit_user, months=1, reason="需列入年度资金计划")
    services.decide_extension(request=request, actor=cast.staff, approve=True)
    text = timeline_of(client_for(cast.staff), s)
    assert "延期申请：待审批 → 已批准" in text and "石台县住房和城乡建设局（主办）：待签收 → 办理中" in text
    assert "pending → approved" not in text and "assigned → signed" not in text


def test_it_names_the_states_in_english_for_an_english_page(cast, client_for):
    s, lead, _co = assigned(cast, co=False)
    services.return_assignment(assignment=lead, actor=cast.unit_user, reason="不属于本单位职责")
    client = client_for(cast.staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = timeline_of(client, s)
    assert "Accepted, to be assigned → Assigned" in text and "(lead): Awaiting signature → Returned" in text
