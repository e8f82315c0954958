"""Japanese error pages 400/403/404/500 (kenshu/templates/), rendered by Django's handlers."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.views import defaults

from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "kenshu" / "templates"


def test_missing_page_answers_404_with_the_japanese_page_inside_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "ページが見つかりません" in html
    assert "トップページへ" in html
    assert 'action="/courses/"' in html  # a search box to carry on
    assert 'action="/i18n/setlang/"' in html  # the header, with its language switch


def test_missing_page_answers_in_english_for_an_english_visitor(client):
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_forbidden_page_answers_403_in_japanese_and_offers_login(rf):
    request = rf.get("/staff/")
    request.user = AnonymousUser()
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "アクセスできません" in html
    assert "このページを表示する権限がありません。" in html
    assert 'href="/accounts/login/?next=/staff/"' in html


def test_forbidden_page_tells_a_logged_in_user_who_it_is(rf):
    request = rf.get("/staff/")
    request.user = UserFactory(username="hanako")
    html = defaults.permission_denied(request, PermissionDenied()).content.decode()
    assert "hanako としてログインしています" in html


def test_bad_request_answers_400_in_japanese(client):
    response = client.get("/", headers={"host": "evil.example"})  # DisallowedHost
    assert response.status_code == 400
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert "リクエストを処理できませんでした" in html


def test_server_error_answers_500_with_a_bilingual_page(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "システムエラーが発生しました" in html
    assert "A server error occurred" in html
    assert 'href="/"' in html


def test_server_error_page_is_self_contained():
    """500.html is rendered without a request and when anything may be broken."""
    source = (TEMPLATES_DIR / "500.html").read_text()
    assert "{%" not in source
    assert "{{" not in source
    assert "<link" not in source  # styles inline: no static files needed


def test_a_form_sent_without_csrf_token_answers_403_in_japanese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "フォームを送信できませんでした" in html
    assert "ページを再読み込みしてから" in html
