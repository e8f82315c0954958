"""Email verification, /accounts/confirm-email/<key>/ (R-ACCT-1, R-MAIL): the link of
the verification email confirms the address; then the welcome email with the user
ID is sent, once."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client

from kenshu.accounts.models import User
from kenshu.core.testing import DEFAULT_PASSWORD
from kenshu.notifications.models import OutboxEmail

from .conftest import SIGNUP

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def link(django_capture_on_commit_callbacks):
    """The confirmation path from the verification email actually sent at signup."""
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/signup/", SIGNUP)
    (message,) = mail.outbox
    mail.outbox.clear()
    return LINK.search(message.body).group(1)


def confirm(path, django_capture_on_commit_callbacks, client=None):
    client = client or Client()
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(path)


def test_the_link_shows_the_address_and_the_user_id_and_asks_to_confirm(link):
    response = Client().get(link)
    html = response.content.decode()
    assert response.status_code == 200
    assert "hanako@example.jp" in html and "hanako</strong>" in html
    assert "のアカウントのメールアドレスであることをご確認ください" in html
    assert ">確認する</button>" in html
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified


def test_confirming_verifies_the_address_and_sends_the_welcome_email_with_the_user_id(
    link, django_capture_on_commit_callbacks
):
    response = confirm(link, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert EmailAddress.objects.get(email="hanako@example.jp").verified
    (welcome,) = mail.outbox
    assert welcome.to == ["hanako@example.jp"]
    assert welcome.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert welcome.subject == "【研修センター(デモ)】ユーザー登録完了のお知らせ（ユーザーID）"
    assert "佐藤 花子 様" in welcome.body
    assert "ユーザーID：hanako" in welcome.body
    assert f"{settings.KENSHU_SITE_URL}/accounts/login/" in welcome.body
    html = dict((mimetype, body) for body, mimetype in welcome.alternatives)["text/html"]
    assert "<strong" in html and "hanako" in html
    assert OutboxEmail.objects.filter(template="welcome").count() == 1


def test_after_confirming_the_user_can_log_in(link, django_capture_on_commit_callbacks):
    confirm(link, django_capture_on_commit_callbacks)
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "hanako", "password": "Sakura-Hanabi-2025"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_the_confirmed_page_says_so_in_japanese(link, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link, follow=True)
    assert "メールアドレス（hanako@example.jp）の確認が完了しました。" in response.content.decode()


def test_the_welcome_email_is_sent_once_even_if_the_link_is_used_twice(
    link, django_capture_on_commit_callbacks
):
    confirm(link, django_capture_on_commit_callbacks)
    confirm(link, django_capture_on_commit_callbacks)
    assert OutboxEmail.objects.filter(template="welcome").count() == 1
    assert len(mail.outbox) == 1


def test_logging_in_before_confirming_is_refused_and_the_email_sent_again(
    link, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": "hanako", "password": "Sakura-Hanabi-2025"}, follow=True
        )
    html = response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "メールアドレスの確認が完了するまで、ログインすることはできません。" in html
    assert "確認メールを再送信します" in html


def test_a_broken_or_expired_link_says_so_and_points_to_the_login(client):
    response = client.get("/accounts/confirm-email/not-a-valid-key/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "この確認用リンクは有効期限が切れているか、無効です。" in html
    assert 'href="/accounts/login/"' in html


def test_a_post_without_the_csrf_token_is_refused(link):
    response = Client(enforce_csrf_checks=True).post(link)
    assert response.status_code == 403
    assert not EmailAddress.objects.get(email="hanako@example.jp").verified


def test_a_logged_in_user_of_another_account_is_logged_out_by_the_link(
    link, django_capture_on_commit_callbacks
):
    other = User.objects.create_user(
        username="other", email="o@example.jp", password=DEFAULT_PASSWORD
    )
    client = Client()
    client.force_login(other)
    confirm(link, django_capture_on_commit_callbacks, client=client)
    assert "_auth_user_id" not in client.session
