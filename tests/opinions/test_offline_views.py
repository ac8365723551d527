"""The offline visit form's server side (liaison/opinions/views/offline.py): the service worker script, the
manifest, the deputy's pick lists; and photos on a visit's opinions, through the API (the outbox sends them
base64) and through the plain form. The browser side is tests/e2e/test_offline_visits.py."""

import base64
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from liaison.opinions.models import Opinion, Photo, Visit
from tests.opinions.helpers import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_it_serves_the_worker_with_its_scope_and_the_shell_to_cache(client):
    response = client.get("/opinions/visits/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/opinions/visits/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("self.LIAISON_OFFLINE = ", 1)[1].split(";\n", 1)[0])
    assert config["pages"] == ["/opinions/visits/new/"] and config["lists"] == "/opinions/visits/lists.json"
    assert "/static/js/visit-offline.js" in config["shell"] and "/static/vendor/bootstrap.min.css" in config["shell"]
    assert config["outbox"] == "/static/js/visit-outbox.js"
    assert 'addEventListener("sync"' in body  # the worker's own code follows its configuration
    assert client.get("/opinions/visits/sw.js").content == response.content  # the same version twice


def test_it_changes_the_workers_version_when_a_shell_file_changes(client, monkeypatch):
    from liaison.opinions.views import offline

    def version():
        body = client.get("/opinions/visits/sw.js").content.decode()
        return json.loads(body.split("self.LIAISON_OFFLINE = ", 1)[1].split(";\n", 1)[0])["version"]

    before = version()
    source = offline._source
    monkeypatch.setattr(
        offline, "_source", lambda name: source(name) + (b"//x" if name.endswith("offline.js") else b"")
    )
    assert version() != before


def test_it_serves_a_manifest_scoped_to_the_visit_pages(client):
    response = client.get("/opinions/visits/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/opinions/visits/new/" and data["scope"] == "/opinions/visits/"
    assert data["short_name"] == "走访登记" and data["display"] == "standalone"
    english = client.get("/opinions/visits/manifest.webmanifest", headers={"Accept-Language": "en"})
    assert json.loads(english.content)["short_name"] == "Visit log"


def test_it_gives_the_deputy_their_own_pick_lists_without_phones(cast, client_for):
    response = client_for(cast.deputy_user).get("/opinions/visits/lists.json")
    assert response.status_code == 200
    data = response.json()
    assert data["user"] == cast.deputy.code and data["csrf_token"]
    assert [s["code"] for s in data["stations"]] == [cast.station.code]
    station = data["stations"][0]
    assert cast.station.region.name in station["villages"]
    assert {"code": cast.deputy.code, "name": cast.deputy.name} in station["deputies"]
    assert cast.other_station.name not in response.content.decode()
    assert cast.deputy.phone not in response.content.decode() or not cast.deputy.phone
    assert client_for(cast.officer).get("/opinions/visits/lists.json").status_code == 403


def test_the_visit_form_carries_the_outbox_and_its_scripts(cast, client_for):
    page = client_for(cast.deputy_user).get("/opinions/visits/new/").content.decode()
    assert 'id="outbox"' in page and 'rel="manifest"' in page and 'enctype="multipart/form-data"' in page
    for script in ("js/photo-shrink.js", "js/visit-outbox.js", "js/visit-offline.js"):
        assert f"/static/{script}" in page
    assert f'data-user="{cast.deputy.code}"' in page and "待发送" in page
    english = client_for(cast.deputy_user).get("/opinions/visits/new/", headers={"Accept-Language": "en"})
    assert 'data-fix="Fix and send again"' in english.content.decode()


def api_visit(client, body, key=None):
    return client.post(
        "/api/v1/visits",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def visit_body(cast, photos):
    return {
        "station": cast.station.code,
        "kind": "door",
        "date": timezone.localdate().isoformat(),
        "place": "缘溪村二组",
        "opinions": [{"content": "桥栏杆断了两根，孩子上学很危险。", "photos": photos}],
    }


def test_it_keeps_a_visit_opinions_photos_sent_as_base64_once_per_key(cast, client_for):
    client = client_for(cast.deputy_user)
    body = visit_body(cast, [base64.b64encode(jpeg_bytes(size=(800, 600))).decode()])
    key = uuid.uuid4().hex
    first = api_visit(client, body, key)
    assert first.status_code == 201, first.json()
    assert api_visit(client, body, key).json() == first.json()  # the outbox's retry: the same answer
    opinion = Opinion.objects.get()
    photo = Photo.objects.get(opinion=opinion)
    assert (photo.width, photo.height) == (800, 600) and photo.content_type == "image/jpeg"
    assert Visit.objects.count() == 1


def test_it_refuses_a_photo_that_is_not_base64_or_not_an_image_and_keeps_nothing(cast, client_for):
    client = client_for(cast.deputy_user)
    bad = api_visit(client, visit_body(cast, ["这不是图片"]))
    assert bad.status_code == 422 and bad.json()["field"] == "opinions" and "base64" in bad.json()["detail"]
    text = api_visit(client, visit_body(cast, [base64.b64encode(b"plain text").decode()]))
    assert text.status_code == 422 and "不是有效的图片" in text.json()["detail"]
    many = api_visit(client, visit_body(cast, [base64.b64encode(jpeg_bytes()).decode()] * 4))
    assert many.status_code == 422
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_the_plain_visit_form_keeps_an_opinions_photo(cast, client_for):
    data = {
        "station": cast.station.pk,
        "kind": "door",
        "date": timezone.localdate().isoformat(),
        "place": "缘溪村四组",
        "op-TOTAL_FORMS": "3",
        "op-INITIAL_FORMS": "0",
        "op-0-content": "村里富硒米没有加工厂，只能卖稻谷，价格低。",
        "op-0-photos": [SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")],
    }
    response = client_for(cast.deputy_user).post("/opinions/visits/new/", data, follow=True)
    assert "已登记走访及社情民意 1 条" in response.content.decode()
    assert Photo.objects.filter(opinion__visit=Visit.objects.get()).count() == 1
