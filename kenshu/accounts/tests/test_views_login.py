"""Login by user ID, /accounts/login/, and logout (R-ACCT-2). The lock after
repeated failures is tested in test_login_lockout.py; here: the page itself."""

import pytest
from django.conf import settings
from django.test import Client

from kenshu.core.testing import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/login/"


def log_in(client, login, password, **extra):
    return client.post(URL, {"login": login, "password": password, **extra})


def test_the_page_asks_for_the_user_id_and_has_the_help_links_r_acct_2(client):
    html = client.get(URL).content.decode()
    assert "<h1" in html and "ログイン" in html
    assert 'for="id_login"' in html and ">ユーザーID <span" in html
    assert 'for="id_password"' in html
    assert "このデバイスでログイン状態を保持する" in html
    assert '<a href="/accounts/forgot-user-id/">ユーザーIDが分からない場合</a>' in html
    assert '<a href="/accounts/password/reset/">パスワードをお忘れの場合</a>' in html
    assert 'href="/accounts/signup/"' in html
    assert "パスワードをお忘れですか" not in html  # allauth's own help text is replaced


def test_a_wrong_password_says_so_in_japanese_and_keeps_the_user_id_only(client, tanaka):
    response = log_in(client, "tanaka01", "wrong-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ユーザーIDまたはパスワードが正しくありません。" in html
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert 'value="tanaka01"' in html
    assert "wrong-password" not in html


def test_without_stay_logged_in_the_session_ends_with_the_browser(client, tanaka):
    assert log_in(client, "tanaka01", DEFAULT_PASSWORD).status_code == 302
    assert client.session.get_expire_at_browser_close()


def test_with_stay_logged_in_the_session_outlives_the_browser(client, tanaka):
    assert log_in(client, "tanaka01", DEFAULT_PASSWORD, remember="on").status_code == 302
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_an_unverified_account_is_refused_and_told_to_confirm_its_address(client):
    UserFactory(username="new01", email="new@example.jp")
    response = log_in(client, "new01", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "メールアドレスの確認が完了するまで、ログインすることはできません。" in page


def test_the_lock_message_is_shown_in_the_error_summary(client, tanaka):
    for _ in range(5):
        log_in(client, "tanaka01", "wrong")
    html = log_in(client, "tanaka01", DEFAULT_PASSWORD).content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "ログイン失敗が連続しています。時間が経ってからやり直してください。" in summary


def test_logout_by_get_only_asks_and_by_post_logs_out(client, tanaka):
    client.force_login(tanaka)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200
    assert "ログアウトしますか？" in page.content.decode()
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_and_logout_posts_without_the_csrf_token_are_refused(tanaka):
    client = Client(enforce_csrf_checks=True)
    assert log_in(client, "tanaka01", DEFAULT_PASSWORD).status_code == 403
    client.force_login(tanaka)
    assert client.post("/accounts/logout/").status_code == 403
    assert "_auth_user_id" in client.session
