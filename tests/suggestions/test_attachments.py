"""Attachments of suggestions and answers: only real documents are kept, under a name of ours, and they are
downloaded (never shown inline) by whoever may see the suggestion — out of scope is 404."""

import io

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from liaison.lib.errors import DomainError
from liaison.org.models import Deputy, User
from liaison.suggestions import services
from liaison.suggestions.models import Answer, Assignment, Suggestion

from .helpers import signed

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/opinions')</script></body></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(name="情况说明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def xlsx_upload():
    book = Workbook()
    book.active.append(["户名", "受益户数"])
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("受益户统计.xlsx", out.getvalue(), content_type="application/octet-stream")


def _draft_form(cast, attachment):
    return {
        "title": "关于维修缘溪村村口石桥的建议",
        "cause": "石桥护栏断裂",
        "reasons": "安全隐患",
        "proposals": "尽快维修",
        "category": cast.categories["城乡建设"].pk,
        "level": "county",
        "publishable": "on",
        "attachment": attachment,
    }


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def submitted(cast, *, deputy=None, user=None, title="关于维修缘溪村村口石桥的建议", **kw) -> Suggestion:
    """A submitted suggestion with a PDF attachment, drafted through the service like the API does."""
    user = user or cast.deputy_user
    s = services.create_draft(
        actor=user,
        deputy=deputy or cast.deputy,
        title=title,
        cause="村口石桥护栏断裂",
        proposals="尽快维修",
        category=cast.categories["城乡建设"],
        attachment=upload(),
        **kw,
    )
    services.submit_suggestion(suggestion=s, actor=user)
    return s


def _other_county_suggestion(cast) -> Suggestion:
    """东至县's deputy (given an account here) submits a suggestion with an attachment."""
    user = User.objects.create_user(username="dz_deputy", password="x", display_name="dz_deputy")
    Deputy.objects.filter(pk=cast.other_deputy.pk).update(user=user)
    cast.other_deputy.refresh_from_db()
    return submitted(cast, deputy=cast.other_deputy, user=user, title="关于东至县沙山村修路的建议")


def test_it_stores_a_deputys_pdf_under_a_random_name_and_serves_it_only_as_a_download(cast, client_for):
    deputy, staff = client_for(cast.deputy_user), client_for(cast.staff)
    response = deputy.post("/suggestions/new/", _draft_form(cast, upload()))
    s = Suggestion.objects.get()
    assert response.status_code == 302
    assert s.attachment.name.startswith("suggestions/") and s.attachment.name.endswith(".pdf")
    assert "情况说明" not in s.attachment.name
    services.submit_suggestion(suggestion=s, actor=cast.deputy_user)

    page = staff.get(f"/suggestions/{s.code}/").content.decode()
    assert f"/suggestions/{s.code}/attachment/" in page and "/media/" not in page
    download = staff.get(f"/suggestions/{s.code}/attachment/")
    assert download.status_code == 200 and _body(download) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    # The stored file is not reachable by its media address.
    assert staff.get(django_settings.MEDIA_URL + s.attachment.name).status_code == 404


def test_it_answers_404_for_an_attachment_of_another_countys_suggestion(cast, client_for):
    other = _other_county_suggestion(cast)
    for user in (cast.staff, cast.deputy_user, cast.unit_user, cast.leader, cast.head):
        assert client_for(user).get(f"/suggestions/{other.code}/attachment/").status_code == 404
    assert client_for(cast.outsider).get(f"/suggestions/{other.code}/attachment/").status_code == 200
    mine = submitted(cast)
    assert client_for(cast.outsider).get(f"/suggestions/{mine.code}/attachment/").status_code == 404


@pytest.mark.parametrize(("name", "content"), [("说明.pdf", HTML), ("evil.html", HTML), ("x.exe", EXE), ("x.pdf", EXE)])
def test_it_refuses_a_web_page_or_a_program_on_the_draft_form_and_saves_nothing(cast, client_for, name, content):
    response = client_for(cast.deputy_user).post("/suggestions/new/", _draft_form(cast, upload(name, content)))
    text = response.content.decode()
    assert response.status_code == 200 and "格式不支持" in text and "PDF" in text
    assert Suggestion.objects.count() == 0


def test_it_refuses_them_in_the_services_too_for_the_api_and_commands(cast):
    with pytest.raises(DomainError, match="格式不支持"):
        services.create_draft(
            actor=cast.deputy_user,
            deputy=cast.deputy,
            title="关于维修石桥的建议",
            cause="护栏断裂",
            proposals="尽快维修",
            category=cast.categories["城乡建设"],
            attachment=upload("说明.pdf", HTML),
        )
    assert Suggestion.objects.count() == 0
    s, lead, _co = signed(cast, co=False)
    with pytest.raises(DomainError, match="格式不支持"):
        services.answer_assignment(
            assignment=lead,
            actor=cast.unit_user,
            answer_class="A",
            text="已维修。",
            signer="李局长",
            attachment=upload("x.exe", EXE),
        )
    lead.refresh_from_db()
    assert lead.state == Assignment.State.SIGNED and not Answer.objects.exists()


def test_it_says_the_size_limit_when_an_attachment_is_too_big(cast, client_for):
    big = upload("扫描件.pdf", PDF + b"0" * (10 * 1024 * 1024))
    text = client_for(cast.deputy_user).post("/suggestions/new/", _draft_form(cast, big)).content.decode()
    assert "超过 10 MB" in text and Suggestion.objects.count() == 0


def test_it_links_and_serves_an_answers_attachment_within_scope(cast, client_for):
    s, lead, _co = signed(cast, co=False)
    unit = client_for(cast.unit_user)
    response = unit.post(
        f"/units/assignments/{lead.code}/answer/",
        {
            "answer_class": "A",
            "text": "石桥已加固。",
            "signer": "李局长",
            "commitments": "",
            "attachment": xlsx_upload(),
        },
    )
    answer = Answer.objects.get()
    assert response.status_code == 302 and answer.attachment.name.endswith(".xlsx")
    url = f"/suggestions/{s.code}/answers/{answer.pk}/attachment/"
    assert url in unit.get(f"/units/assignments/{lead.code}/").content.decode()
    deputy = client_for(cast.deputy_user)
    assert url in deputy.get(f"/suggestions/{s.code}/").content.decode()
    download = deputy.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert "spreadsheetml" in download["Content-Type"] and download["X-Content-Type-Options"] == "nosniff"
    assert client_for(cast.outsider).get(url).status_code == 404
    other = _other_county_suggestion(cast)  # an answer id under another suggestion's code: not found
    assert (
        client_for(cast.outsider).get(f"/suggestions/{other.code}/answers/{answer.pk}/attachment/").status_code == 404
    )


def test_it_keeps_a_confidential_suggestions_attachment_from_the_units(cast, client_for):
    s = submitted(cast, confidential=True)
    services.accept_suggestion(suggestion=s, actor=cast.staff)
    (lead,) = services.assign_suggestion(suggestion=s, actor=cast.staff, lead=cast.unit)
    unit = client_for(cast.unit_user)
    assert "/attachment/" not in unit.get(f"/suggestions/{s.code}/").content.decode()
    assert "/attachment/" not in unit.get(f"/units/assignments/{lead.code}/").content.decode()
    assert unit.get(f"/suggestions/{s.code}/attachment/").status_code == 404
    assert client_for(cast.staff).get(f"/suggestions/{s.code}/attachment/").status_code == 200
