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


# --- cancellation, learner change, date change (R-CANCEL-2, R-APPLY-5) ----------------------

CANCELLATION_DETAILS = {
    "course_code": "ILC1234",
    "course_title": "ビジネス文書研修",
    "session_date": "2026年6月15日 10:00",
    "company_name": "株式会社サンプル",
    "learner_name": "高橋 学",
    "whole_purchase": False,
}


def test_the_cancellation_received_email_shows_what_was_asked_and_the_contact_date_rule():
    context = {
        **RECEIVED,
        "kind": "cancellation",
        "details": CANCELLATION_DETAILS,
        "entered_by_staff": True,
        "staff_path": "/staff/requests/cancellation/42/",
    }
    subject, text, html = render("request_received", context)
    assert "申し込みキャンセル依頼" in subject
    for expected in [
        "ILC1234 ビジネス文書研修",
        "2026年6月15日 10:00",
        "高橋 学",
        "株式会社サンプル",
    ]:
        assert expected in text and expected in html
    assert "連絡日時点のキャンセル規定" in text
    assert "以下の内容でご依頼を承りました" in text  # entered by staff from a call
    _s, staff_text, staff_html = render("staff_request_received", context)
    link = f"{settings.KENSHU_SITE_URL}/staff/requests/cancellation/42/"
    assert link in staff_text and f'href="{link}"' in staff_html
    assert "事務局入力" in staff_text


def test_the_processed_cancellation_email_gives_the_fee_and_the_documents():
    context = {
        "request_id": 42,
        "kind": "cancellation",
        "name": "鈴木 人事",
        "approved": True,
        "reason": "",
        "details": {
            **CANCELLATION_DETAILS,
            "contact_date": "2026-06-08",
            "fee": 25000,
            "fee_rate": 50,
            "credit_note_number": "CRN-2026-000001",
            "credit_note_total": 55000,
            "fee_invoice_number": "FEE-2026-000001",
            "fee_invoice_total": 27500,
            "refund_amount": 0,
        },
    }
    subject, text, html = render("request_decided", context)
    assert "対応完了" in subject and "申し込みキャンセル依頼" in subject
    assert "2026年6月8日" in text and "50% — 25,000円" in text
    assert "CRN-2026-000001 (55,000円)" in text and "FEE-2026-000001" in text
    assert "CRN-2026-000001" in html and "25,000円" in html
    english = render("request_decided", context, language="en")
    assert "has been processed" in english[0] and "25,000 yen" in english[1]


def test_the_learner_and_date_change_decisions_say_what_was_done():
    learner = {
        "request_id": 5,
        "kind": "learner_change",
        "name": "鈴木 人事",
        "approved": True,
        "reason": "",
        "details": {
            "course_code": "ILC1234",
            "course_title": "研修",
            "new_learner_name": "伊藤 恵",
        },
    }
    _subject, text, html = render("request_decided", learner)
    assert "伊藤 恵様に割当てました" in text and "伊藤 恵" in html
    date = {
        **learner,
        "kind": "date_change",
        "details": {"moved_to_starts_at": "2026-06-22T01:00:00+00:00"},
    }
    _subject, text, _html = render("request_decided", date)
    assert "2026年6月22日(月) 10:00の回に変更" in text
    rejected = {**date, "approved": False, "reason": "満席のため"}
    _subject, text, _html = render("request_decided", rejected)
    assert "満席のため" in text and "お受けすることができませんでした" in text


def test_the_enrolment_moved_email_gives_the_old_and_the_new_date():
    context = {
        "enrollment_number": "E00000001",
        "course_code": "ILC1234",
        "course_title": "ビジネス文書研修",
        "delivery": "classroom",
        "learner_name": "高橋 学",
        "old_starts_at": "2026-06-15T01:00:00+00:00",
        "starts_at": "2026-06-22T01:00:00+00:00",
        "ends_at": "2026-06-22T08:00:00+00:00",
        "venue": "東京本社 研修室A",
        "online_url": "",
        "my_enrollments_path": "/account/enrollments/",
        "name": "高橋 学",
        "to_applicant": False,
    }
    subject, text, html = render("enrollment_moved", context)
    assert "日程変更のお知らせ" in subject and "ILC1234" in subject
    assert "2026年6月15日(月) 10:00" in text and "2026年6月22日(月) 10:00–17:00" in text
    assert "東京本社 研修室A" in html
    _s, applicant_text, _h = render(
        "enrollment_moved", {**context, "name": "鈴木 人事", "to_applicant": True}
    )
    assert "高橋 学様の受講日程を変更いたしました" in applicant_text
    assert render("enrollment_moved", context, language="en")[0].endswith(
        "ILC1234 ビジネス文書研修"
    )
