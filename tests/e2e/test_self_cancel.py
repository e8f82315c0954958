"""Self-cancellation in a real browser (R-CANCEL-1, R-CANCEL-5): an individual opens My
Account → applications, presses "cancel", sees the preview with the tier, the fee and the
date it was computed for, confirms, sees its application cancelled, and the cancellation
email (with the fee) is sent."""

from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.cancellation.tests.helpers import apply, first_day_after_business_days
from kenshu.core.testing import DEFAULT_PASSWORD, SessionFactory, UserFactory, verified
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.e2e

PREVIEW_SCREENSHOT = Path("/tmp") / "kenshu-self-cancel-preview.png"  # noqa: S108


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


def test_an_individual_cancels_an_enrolment_from_my_account(live_server, page):
    user = verified(UserFactory(username="cancel-e2e", email="cancel-e2e@example.jp"))
    session = SessionFactory(
        course__code="ILC1234",
        course__title="ビジネス文書研修",
        course__fee=50_000,
        starts_on=first_day_after_business_days(5),  # 7 to 3 business days before: 50 %
    )
    enrollment = apply(user, session)
    log_in(page, live_server.url, "cancel-e2e")

    page.goto(live_server.url + "/account/enrollments/")
    page.get_by_role("link", name="キャンセルする ILC1234 ビジネス文書研修").click()

    # The preview: tier, rate, fee with tax, the documents, and the date computed for.
    expect(page).to_have_url(live_server.url + f"/account/enrollments/{enrollment.pk}/cancel/")
    preview = page.locator(".cancel-preview")
    expect(preview.locator(".cancel-tier")).to_have_text("初日の7〜3営業日前")
    expect(preview.locator(".cancel-rate")).to_have_text("50%")
    expect(preview.locator(".cancel-fee-total")).to_have_text("27,500円")
    today = tokyo_date()
    expect(preview.locator(".computed-for")).to_contain_text(
        f"{today.year}年{today.month}月{today.day}日"
    )
    expect(preview.locator(".cancel-documents")).to_contain_text("55,000円")
    page.screenshot(path=PREVIEW_SCREENSHOT, full_page=True)

    # Confirming without the box is refused; with it, the application is cancelled.
    page.get_by_role("button", name="このお申し込みをキャンセルする").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert Enrollment.objects.get(pk=enrollment.pk).is_live
    page.get_by_label("上記のキャンセル料を確認のうえ、キャンセルします。").check()
    page.get_by_role("button", name="このお申し込みをキャンセルする").click()

    expect(page).to_have_url(live_server.url + f"/account/enrollments/{enrollment.pk}/cancel/done/")
    expect(page.locator(".enrollment-state")).to_have_text("キャンセル")
    expect(page.get_by_role("link", name="FEE-", exact=False)).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.state == Enrollment.State.CANCELLED
    assert enrollment.cancellation_fee == 25_000

    page.goto(live_server.url + "/account/enrollments/")
    expect(page.get_by_text("キャンセル料: 25,000円(税抜)")).to_be_visible()

    # The cancellation email, with the fee and the date it was computed for.
    outbox_dispatch_due()
    done = [
        m
        for m in mail.outbox
        if m.to == ["cancel-e2e@example.jp"] and "キャンセル完了" in m.subject
    ]
    assert len(done) == 1, [m.subject for m in mail.outbox]
    assert "27,500円" in done[0].body
    assert f"{today.year}年{today.month}月{today.day}日" in done[0].body
