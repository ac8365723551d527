"""Form widgets as a Chinese user meets them: date pickers filled in (ISO values), blank choices in Chinese."""

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_fills_the_visit_date_with_today_in_a_form_the_date_picker_shows(cast, client_for):
    page = client_for(cast.deputy_user).get("/opinions/visits/new/").content.decode()
    field = re.search(r'<input type="date" name="date"[^>]*>', page)
    assert field is not None
    assert f'value="{timezone.localdate().isoformat()}"' in field.group(0)


@pytest.mark.parametrize("url", ["/opinions/visits/new/", "/opinions/mediations/new/", "/suggestions/new/"])
def test_it_offers_the_blank_choice_in_chinese(cast, client_for, url):
    page = client_for(cast.deputy_user).get(url).content.decode()
    assert "—— 请选择 ——" in page and "Select an option" not in page
