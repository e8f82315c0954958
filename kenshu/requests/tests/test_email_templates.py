"""The request emails (DOMAIN.md §8, R-MAIL): request_received (requester),
staff_request_received (the staff queue), request_decided (requester); each a
subject, a text body and an HTML body, in Japanese by default and in English.

The contexts are exactly those the services pass (kenshu/requests/services.py).
"""

import pytest
from django.conf import settings

from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_render

pytestmark = pytest.mark.django_db

RECEIVED = {
    "request_id": 42,
    "kind": "type_change",
    "name": "佐藤 花子",
    "user_id": "sato-corp",
    "contact_date": "2026-05-11",
    "message": "研修担当になりました。\n<b>よろしく</b>",
}


def render(template: str, context: dict, language: str = "ja"):
    email = OutboxEmail.objects.create(
        template=template,
        to_email="sato@example.jp",
        from_email=settings.KENSHU_NOREPLY_EMAIL,
        language=language,
        context=context,
    )
    message = email_render(email)
    return message.subject, message.body, message.alternatives[0][0]


def test_the_received_email_tells_the_requester_the_number_kind_date_and_next_step():
    subject, text, html = render("request_received", RECEIVED)
    provider = settings.KENSHU_PROVIDER_NAME
    assert subject == f"【{provider}】種別変更依頼受付のお知らせ（受付番号 42）"
    assert text.startswith("佐藤 花子 様\n")
    for expected in ["受付番号: 42", "依頼内容: 種別変更依頼", "ユーザーID: sato-corp"]:
        assert expected in text
    assert "連絡日: 2026年5月11日" in text
    assert "今後の流れ" in text and "結果をメールでお知らせいたします" in text
    assert f"{settings.KENSHU_SITE_URL}/account/requests/" in text
    assert "<b>よろしく</b>" in text  # plain text is not escaped
    assert "&lt;b&gt;よろしく&lt;/b&gt;" in html  # the HTML body is
    assert "種別変更依頼" in html and "2026年5月11日" in html


def test_the_staff_notice_links_to_the_request_in_the_staff_area():
    subject, text, html = render("staff_request_received", RECEIVED)
    assert "新規依頼 受付番号 42" in subject and "種別変更依頼" in subject
    assert "佐藤 花子" in subject
    link = f"{settings.KENSHU_SITE_URL}/staff/requests/type-change/42/"
    assert link in text
    assert f'href="{link}"' in html
    assert "sato-corp" in text and "研修担当になりました。" in text


def test_the_approval_email_says_approved_and_what_the_user_may_do_now():
    context = {
        "request_id": 42,
        "kind": "type_change",
        "name": "佐藤 花子",
        "approved": True,
        "reason": "",
    }
    subject, text, html = render("request_decided", context)
    assert "承認" in subject and "受付番号 42" in subject
    assert "承認いたしました" in text
    assert "法人グループ申込者" in text
    assert "理由" not in text
    assert "承認いたしました" in html


def test_the_rejection_email_gives_the_reason():
    context = {
        "request_id": 42,
        "kind": "type_change",
        "name": "佐藤 花子",
        "approved": False,
        "reason": "ご所属の確認が取れませんでした。",
    }
    subject, text, html = render("request_decided", context)
    assert "承認" not in subject and "結果のお知らせ" in subject
    assert "お受けすることができませんでした" in text
    assert "理由:\nご所属の確認が取れませんでした。" in text
    assert "ご所属の確認が取れませんでした。" in html


@pytest.mark.parametrize("template", ["request_received", "staff_request_received"])
def test_the_received_emails_exist_in_english_too(template):
    subject, text, html = render(template, RECEIVED, language="en")
    assert "User-type change request" in subject
    assert "Request number: 42" in text
    assert 'lang="en"' in html


def test_the_decision_email_exists_in_english_too():
    context = {"request_id": 7, "kind": "type_change", "name": "Hanako Sato"}
    subject, text, _html = render(
        "request_decided", {**context, "approved": True, "reason": ""}, language="en"
    )
    assert subject.endswith("Your request No. 7 (User-type change request) has been approved")
    assert text.startswith("Dear Hanako Sato,")
