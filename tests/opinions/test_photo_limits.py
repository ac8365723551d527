"""Oversized photos (decompression bombs): refused from the image header, and never looked at before the
public page's throttle lets a submission in."""

import io
import time
import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from liaison.lib.errors import DomainError
from liaison.opinions import services
from liaison.opinions.forms import form_token
from liaison.opinions.models import Opinion, Photo
from liaison.opinions.validation import MAX_PHOTO_SIDE, clean_photo
from tests.opinions.helpers import form_key

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")]


def bomb_png(side=6300) -> bytes:
    """One colour, `side`² pixels: 40 million pixels for 6300, packed by PNG into about 38 KB."""
    out = io.BytesIO()
    Image.new("L", (side, side), 255).save(out, "PNG")
    return out.getvalue()


def _bombs(n=3, side=6300):
    data = bomb_png(side)
    return [SimpleUploadedFile(f"bomb{i}.png", data, content_type="image/png") for i in range(n)]


def _post(client, station, *, key, photos=()):
    data = {
        "key": key,
        "token": form_token(station.code, time.time() - 60),
        "content": "村口自来水浑浊，烧开后有黄色沉淀，已经半个月了。",
        "title": "自来水浑浊",
        "resident_name": "",
        "resident_phone": "",
        "website": "",
        "photos": list(photos),
    }
    return client.post(f"/s/{station.code}/", data)


@pytest.mark.parametrize("side", [6300, 7000])  # under and over Pillow's own bomb error (twice the budget)
def test_it_refuses_a_small_file_of_huge_dimensions_with_a_chinese_message(side):
    data = bomb_png(side)
    assert len(data) < 100_000  # far under the 5 MB limit on bytes
    with pytest.raises(DomainError) as refused:
        clean_photo(SimpleUploadedFile("bomb.png", data, content_type="image/png"))
    assert "尺寸过大" in refused.value.message and "万像素" in refused.value.message


def test_it_refuses_it_the_same_way_where_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError, match="尺寸过大"):
            clean_photo(SimpleUploadedFile("bomb.png", bomb_png(), content_type="image/png"))


def test_it_still_takes_a_camera_sized_photo_and_scales_it_down():
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (90, 140, 60)).save(out, "JPEG")
    photo = clean_photo(SimpleUploadedFile("camera.jpg", out.getvalue(), content_type="image/jpeg"))
    assert max(photo.width, photo.height) == MAX_PHOTO_SIDE and photo.content_type == "image/jpeg"


def test_it_refuses_three_bombs_on_the_qr_page_and_saves_nothing(cast, client):
    response = _post(client, cast.station, key=form_key("b"), photos=_bombs())
    assert response.status_code == 400 and "尺寸过大" in response.content.decode()
    assert Opinion.objects.count() == 0 and Photo.objects.count() == 0


def test_it_tells_a_flooding_client_to_wait_before_looking_at_its_photos(cast, client):
    for i in range(services.SUBMIT_LIMIT_PER_CLIENT[0]):
        assert _post(client, cast.station, key=form_key(str(i))).status_code == 200
    text = _post(client, cast.station, key=form_key("f"), photos=_bombs()).content.decode()
    assert "太频繁" in text and "尺寸过大" not in text
    assert Photo.objects.count() == 0


def test_it_checks_the_throttle_before_the_photos_in_the_service_too(cast):
    for i in range(services.SUBMIT_LIMIT_PER_CLIENT[0]):
        services.submit_public_opinion(station=cast.station, key=form_key(str(i)), content="路灯不亮", client="ip1")
    with pytest.raises(services.Throttled):
        services.submit_public_opinion(
            station=cast.station, key=form_key("f"), content="路灯不亮", client="ip1", photos=_bombs()
        )
