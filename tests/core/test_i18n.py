import pytest

pytestmark = pytest.mark.django_db


def test_it_defaults_to_chinese_and_switches_to_english(cast, client):
    assert "用户名" in client.get("/accounts/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert "User name" in page and 'lang="en"' in page
