"""The development mail viewer /dev/mail/ (kenshu.notifications.dev_views, DEBUG only).

config/urls.py mounts the viewer only when DEBUG is on at import time, and the
test run has DEBUG off; so the views are called directly here, with DEBUG
switched on through the ``settings`` fixture.
"""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from kenshu.notifications import dev_views
from kenshu.notifications.models import SentMail

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


def _mail(subject: str, *, minutes_ago: int = 0, **fields) -> SentMail:
    mail = SentMail.objects.create(
        from_email=fields.pop("from_email", "no-reply@kenshu.example.jp"),
        to=fields.pop("to", "hanako@example.jp"),
        subject=subject,
        body=fields.pop("body", "本文です。"),
        **fields,
    )
    SentMail.objects.filter(pk=mail.pk).update(
        sent_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    mail.refresh_from_db()
    return mail


def test_dev_mail_list_shows_sent_mail_newest_first(rf, debug):
    _mail("古いメール", minutes_ago=30)
    _mail("新しいメール", minutes_ago=1)
    _mail("中間のメール", minutes_ago=10)
    response = dev_views.mail_list(rf.get("/dev/mail/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("新しいメール") < html.index("中間のメール") < html.index("古いメール")
    assert "送信済みメール（開発用）" in html


def test_dev_mail_list_links_each_mail_to_its_detail_page(rf, debug):
    mail = _mail("申込受付のお知らせ")
    html = dev_views.mail_list(rf.get("/dev/mail/")).content.decode()
    assert f'<a href="{mail.pk}/">申込受付のお知らせ</a>' in html
    assert "hanako@example.jp" in html


def test_dev_mail_list_shows_fifty_mails_a_page(rf, debug):
    for minute in range(51):
        _mail(f"メール{minute:02d}", minutes_ago=minute)
    first = dev_views.mail_list(rf.get("/dev/mail/")).content.decode()
    assert "メール00" in first
    assert "メール49" in first
    assert "メール50" not in first
    assert 'href="?page=2"' in first
    second = dev_views.mail_list(rf.get("/dev/mail/", {"page": "2"})).content.decode()
    assert "メール50" in second
    assert "メール00" not in second


def test_dev_mail_list_says_so_when_nothing_was_sent(rf, debug):
    html = dev_views.mail_list(rf.get("/dev/mail/")).content.decode()
    assert "送信されたメールはまだありません。" in html


def test_dev_mail_detail_shows_sender_recipient_subject_and_body(rf, debug):
    mail = _mail(
        "【研修センター】お申し込みを受け付けました",
        to="taro@example.jp",
        body="山田 太郎 様\n\nお申し込みありがとうございます。\n日程: 2099年4月15日(水)",
    )
    response = dev_views.mail_detail(rf.get(f"/dev/mail/{mail.pk}/"), pk=mail.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "【研修センター】お申し込みを受け付けました" in html
    assert "no-reply@kenshu.example.jp" in html
    assert "taro@example.jp" in html
    assert "山田 太郎 様\n\nお申し込みありがとうございます。" in html
    assert 'href="../"' in html


def test_dev_mail_detail_shows_the_html_version_in_a_sandbox_without_scripts(rf, debug):
    mail = _mail("HTML付き", html='<p>こんにちは</p><script>alert("x")</script>')
    html = dev_views.mail_detail(rf.get(f"/dev/mail/{mail.pk}/"), pk=mail.pk).content.decode()
    assert "<iframe" in html
    iframe = html.split("<iframe", 1)[1].split(">", 1)[0]
    assert " sandbox " in iframe
    assert "allow-scripts" not in iframe
    assert 'srcdoc="&lt;p&gt;こんにちは&lt;/p&gt;&lt;script&gt;alert(&quot;x&quot;)' in iframe
    assert "<script>alert" not in html


def test_dev_mail_detail_answers_404_for_an_unknown_mail(rf, debug):
    with pytest.raises(Http404):
        dev_views.mail_detail(rf.get("/dev/mail/999/"), pk=999)


def test_dev_mail_views_answer_404_when_debug_is_off(rf, settings):
    settings.DEBUG = False
    mail = _mail("見えてはいけないメール")
    with pytest.raises(Http404):
        dev_views.mail_list(rf.get("/dev/mail/"))
    with pytest.raises(Http404):
        dev_views.mail_detail(rf.get(f"/dev/mail/{mail.pk}/"), pk=mail.pk)


def test_dev_mail_url_answers_404_when_debug_is_off(client, settings):
    settings.DEBUG = False
    mail = _mail("見えてはいけないメール")
    assert client.get("/dev/mail/").status_code == 404
    response = client.get(f"/dev/mail/{mail.pk}/")
    assert response.status_code == 404
    assert "見えてはいけないメール" not in response.content.decode()
