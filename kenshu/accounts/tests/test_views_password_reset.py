"""Password reissue, /accounts/password/reset/ and its link (R-ACCT-4): CAPTCHA on the
request; the link sets a new password, expires, and works once; the user is told
by email that the password changed. Accounts without a password (migrated,
invited) use the same flow."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client

from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

URL = "/accounts/password/reset/"
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)")
NEW_PASSWORD = "Momiji-Kaede-2026"


def request_link(email, django_capture_on_commit_callbacks, captcha="PASSED", client=None):
    with django_capture_on_commit_callbacks(execute=True):
        return (client or Client()).post(
            URL, {"email": email, "captcha_0": "key", "captcha_1": captcha}
        )


def link_for(to):
    (message,) = [m for m in mail.outbox if m.to == [to] and "/password/reset/key/" in m.body]
    return LINK.search(message.body).group(1)


def set_password(client, link, django_capture_on_commit_callbacks, password=NEW_PASSWORD):
    response = client.get(link)  # allauth moves the key into the session and redirects
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(response["Location"], {"password1": password, "password2": password})


def can_log_in(user_id, password) -> bool:
    client = Client()
    client.post("/accounts/login/", {"login": user_id, "password": password})
    return "_auth_user_id" in client.session


# --- the request page -------------------------------------------------------------------


def test_the_page_asks_for_the_email_and_a_captcha_in_japanese(client):
    html = client.get(URL).content.decode()
    assert "<h1" in html and "パスワード再発行" in html
    assert 'for="id_email"' in html and 'for="id_captcha_1"' in html
    assert 'src="/captcha/image/' in html
    assert "旧研修申込みシステムから移行された方" in html


def test_the_login_page_links_here(client):
    assert (
        f'<a href="{URL}">パスワードをお忘れの場合</a>'
        in client.get("/accounts/login/").content.decode()
    )


def test_a_wrong_captcha_is_an_error_and_no_link_is_sent(
    tanaka, django_capture_on_commit_callbacks
):
    response = request_link("tanaka@example.jp", django_capture_on_commit_callbacks, "WRONG")
    html = response.content.decode()
    assert response.status_code == 200
    assert "入力された文字が画像の文字と一致しません" in html
    assert 'href="#id_captcha_1"' in html
    assert 'value="tanaka@example.jp"' in html
    assert mail.outbox == []


def test_the_done_page_says_how_long_the_link_works(tanaka, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"email": "tanaka@example.jp", "captcha_0": "k", "captcha_1": "PASSED"},
            follow=True,
        )
    html = response.content.decode()
    assert "メールをご確認ください" in html
    assert "リンクは1回のみ有効で、有効期限は24時間です。" in html


# --- the email and the link -----------------------------------------------------------------


def test_the_email_has_the_link_the_user_id_and_the_expiry_in_japanese(
    tanaka, django_capture_on_commit_callbacks
):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "【研修センター(デモ)】パスワード再発行のご案内"
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert "山田 太郎" in message.body  # the greeting, with the factory's name
    assert "ユーザーID：tanaka01" in message.body
    assert "有効期限は24時間です" in message.body
    assert LINK.search(message.body)
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert '<a href="http' in html  # the link is clickable in the HTML version


def test_the_link_sets_a_new_password_that_logs_in_and_the_old_one_no_longer_does_r_acct_4(
    tanaka, django_capture_on_commit_callbacks
):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    client = Client()

    response = set_password(
        client, link_for("tanaka@example.jp"), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/key/done/"
    assert can_log_in("tanaka01", NEW_PASSWORD)
    assert not can_log_in("tanaka01", "kenshu-test-password-1")


def test_the_user_is_emailed_that_the_password_changed_r_acct_4(
    tanaka, django_capture_on_commit_callbacks
):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    link = link_for("tanaka@example.jp")
    mail.outbox.clear()

    set_password(Client(), link, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.to == ["tanaka@example.jp"]
    assert message.subject == "【研修センター(デモ)】パスワード変更のお知らせ"
    assert "パスワード再発行の手続きにより" in message.body
    assert "ユーザーID：tanaka01" in message.body
    row = OutboxEmail.objects.get(context__source="password_reset")
    assert row.related == tanaka


def test_the_link_works_once_r_acct_4(tanaka, django_capture_on_commit_callbacks):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    link = link_for("tanaka@example.jp")
    set_password(Client(), link, django_capture_on_commit_callbacks)

    response = Client().get(link, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "このリンクはご利用いただけません" in html
    assert "有効期限が切れているか、すでに使用されています" in html
    assert f'href="{URL}"' in html
    assert "password1" not in html


def test_the_link_expires_after_24_hours_r_acct_4(
    tanaka, django_capture_on_commit_callbacks, monkeypatch
):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    link = link_for("tanaka@example.jp")
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    html = Client().get(link, follow=True).content.decode()

    assert "このリンクはご利用いただけません" in html
    assert can_log_in("tanaka01", "kenshu-test-password-1")


def test_a_garbled_link_is_refused_the_same_way(client):
    html = client.get("/accounts/password/reset/key/1-not-a-token/", follow=True).content.decode()
    assert "このリンクはご利用いただけません" in html


def test_a_new_password_that_is_too_weak_is_refused_and_nothing_changes(
    tanaka, django_capture_on_commit_callbacks
):
    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)
    client = Client()
    response = set_password(
        client, link_for("tanaka@example.jp"), django_capture_on_commit_callbacks, "12345678"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "数字だけのパスワードにはできません。" in html
    assert can_log_in("tanaka01", "kenshu-test-password-1")


# --- accounts without a password ---------------------------------------------------------------


def test_a_migrated_member_without_a_password_or_verified_address_gets_a_link_r_migrate_1(
    django_capture_on_commit_callbacks,
):
    member = UserFactory(username="legacy-0042", email="Legacy.Member@Example.JP")
    member.set_unusable_password()
    member.save()

    request_link("legacy.member@example.jp", django_capture_on_commit_callbacks)
    response = set_password(
        Client(), link_for("legacy.member@example.jp"), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)


def test_a_migrated_member_logs_in_straight_after_the_reissue_without_another_verification(
    django_capture_on_commit_callbacks,
):
    """The reissue link came through the mailbox, so the address counts as verified."""
    member = UserFactory(username="legacy-0043", email="legacy43@example.jp")
    member.set_unusable_password()
    member.save()
    assert not EmailAddress.objects.filter(user=member).exists()

    request_link("legacy43@example.jp", django_capture_on_commit_callbacks)
    set_password(Client(), link_for("legacy43@example.jp"), django_capture_on_commit_callbacks)

    assert EmailAddress.objects.get(user=member).verified
    assert can_log_in("legacy-0043", NEW_PASSWORD)


def test_every_account_of_a_shared_address_gets_its_own_link(
    tanaka, django_capture_on_commit_callbacks
):
    """A verified individual account and a migrated corporate one on the same address."""
    corporate = UserFactory(username="tanaka-corp", email="tanaka@example.jp", corporate=True)
    corporate.set_unusable_password()
    corporate.save()

    request_link("tanaka@example.jp", django_capture_on_commit_callbacks)

    bodies = [m.body for m in mail.outbox]
    assert len(bodies) == 2
    assert {re.search(r"ユーザーID：(\S+)", body).group(1) for body in bodies} == {
        "tanaka01",
        "tanaka-corp",
    }


def test_an_unknown_address_gets_the_same_answer_and_no_email(django_capture_on_commit_callbacks):
    response = request_link("nobody@example.jp", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert mail.outbox == []


def test_a_post_without_the_csrf_token_is_refused(tanaka):
    response = Client(enforce_csrf_checks=True).post(
        URL, {"email": "tanaka@example.jp", "captcha_0": "k", "captcha_1": "PASSED"}
    )
    assert response.status_code == 403
    assert mail.outbox == []


# --- the outbox template of allauth's emails ("rendered") ---------------------------------------


def test_an_allauth_email_without_html_gets_its_text_in_the_site_layout():
    from kenshu.notifications.services import email_render

    row = OutboxEmail.objects.create(
        template="rendered",
        to_email="tanaka@example.jp",
        context={"subject": "件名 & 記号", "text": "本文 <b>\nhttps://example.jp/x/", "html": ""},
    )
    message = email_render(row)
    assert message.subject == "件名 & 記号"
    assert message.body.startswith("本文 <b>\nhttps://example.jp/x/\n")
    assert "送信専用アドレス" in message.body  # the standard footer
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert "本文 &lt;b&gt;<br>" in html
    assert '<a href="https://example.jp/x/"' in html
    assert "研修センター(デモ)" in html  # the layout


def test_an_allauth_email_with_its_own_html_is_sent_as_it_is():
    from kenshu.notifications.services import email_render

    row = OutboxEmail.objects.create(
        template="rendered",
        to_email="tanaka@example.jp",
        context={
            "subject": "件名",
            "text": "本文",
            "html": "<html><body><p>HTML版</p></body></html>",
        },
    )
    html = dict((mt, body) for body, mt in email_render(row).alternatives)["text/html"]
    assert html.strip() == "<html><body><p>HTML版</p></body></html>"
