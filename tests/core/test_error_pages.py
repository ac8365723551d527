"""403, 404 and 500 in the site's layout: the reason in the user's words, the navigation and a way back home.

Tests run with DEBUG off, as production does, so these are the pages users get.
"""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from tests.suggestions.helpers import accepted

pytestmark = pytest.mark.django_db

NAVBAR = 'class="navbar'
HOME_LINK = 'href="/">返回首页</a>'


def page(response, status):
    assert response.status_code == status
    html = response.content.decode()
    assert NAVBAR in html and HOME_LINK in html and 'lang="zh-hans"' in html
    assert "Not Found" not in html and "Forbidden" not in html
    return html


def test_it_says_why_an_out_of_scope_suggestion_is_not_found(cast, client_for):
    assert not settings.DEBUG
    s = accepted(cast)
    html = page(client_for(cast.outsider).get(f"/suggestions/{s.code}/"), 404)
    assert "页面不存在" in html and "建议不存在或不在您的权限范围内" in html
    assert 'href="/suggestions/"' in html  # the outsider's own navigation


def test_it_answers_an_unknown_address_with_the_plain_not_found_page(cast, client_for):
    html = page(client_for(cast.staff).get("/no-such-page/"), 404)
    assert "您要找的页面不存在，或不在您的权限范围内。" in html and "Resolver404" not in html


def test_it_shows_the_not_found_page_to_an_anonymous_visitor(client):
    html = page(client.get("/no-such-page/"), 404)
    assert "页面不存在" in html


def test_it_says_why_a_step_is_not_allowed(cast, client_for):
    s = accepted(cast)
    html = page(client_for(cast.deputy_user).get(f"/suggestions/{s.code}/assign/"), 403)
    assert "没有权限" in html and "只有受理该建议的人大机关工作人员可以进行此操作" in html
    html = page(client_for(cast.deputy_user).get("/org/import/"), 403)
    assert "只有系统管理员可以批量导入" in html


def test_it_shows_the_error_page_in_english_on_an_english_page(cast, client_for):
    client = client_for(cast.outsider)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(f"/suggestions/{accepted(cast).code}/").content.decode()
    assert "Page not found" in html and "The suggestion does not exist or is outside what you may see" in html


def test_it_renders_the_server_error_page_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0), translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错" in html and NAVBAR in html and HOME_LINK in html


def test_it_explains_an_expired_form_in_chinese(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff)
    response = client.post("/accounts/logout/")  # no CSRF token: a form from before the last login
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "刷新后重新提交" in html and HOME_LINK in html and "CSRF" not in html
