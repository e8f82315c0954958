"""Change email address, /accounts/email/ (R-ACCT-5): the new address is verified
first; then it replaces the old one everywhere (the user's email too), and the old
address is told."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/accounts/email/"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


def test_the_page_shows_the_current_address_in_japanese(client_of):
    html = client_of.get(URL).content.decode()
    assert "メールアドレスの変更" in html
    assert "現在のメールアドレス" in html and "tanaka@example.jp" in html
    assert 'for="id_email"' in html and "新しいメールアドレス" in html


def test_a_new_address_is_verified_before_it_replaces_the_old_one(
    client_of, tanaka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of.post(URL, {"email": "tanaka.new@example.jp", "action_add": ""})
    assert response.status_code == 302
    tanaka.refresh_from_db()
    assert tanaka.email == "tanaka@example.jp"  # not yet
    page = client_of.get(URL).content.decode()
    assert "確認待ち" in page and "tanaka.new@example.jp" in page

    (confirmation,) = mail.outbox
    assert confirmation.to == ["tanaka.new@example.jp"]
    assert "メールアドレス確認のお願い" in confirmation.subject
    assert "ユーザーID tanaka01 のアカウント" in confirmation.body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_of.post(LINK.search(confirmation.body).group(1))

    tanaka.refresh_from_db()
    assert tanaka.email == "tanaka.new@example.jp"
    assert list(EmailAddress.objects.filter(user=tanaka).values_list("email", flat=True)) == [
        "tanaka.new@example.jp"
    ]
    (notice,) = mail.outbox  # and no "registration complete" email
    assert notice.to == ["tanaka@example.jp"]
    assert "メールアドレス変更のお知らせ" in notice.subject
    assert "tanaka@example.jp から tanaka.new@example.jp に変更しました" in notice.body


def test_a_malformed_address_is_refused_with_a_message(client_of, tanaka):
    response = client_of.post(URL, {"email": "tanaka@", "action_add": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "有効なメールアドレスを入力してください。" in html
    assert 'id="error-summary"' in html
    assert mail.outbox == []


def test_a_post_without_the_csrf_token_is_refused(tanaka):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tanaka)
    assert client.post(URL, {"email": "x@example.jp", "action_add": ""}).status_code == 403
