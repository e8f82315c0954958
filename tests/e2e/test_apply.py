"""Applying for oneself in a real browser (R-APPLY-1, R-TYPE-2): an individual searches
the catalogue, opens a course, applies for a session, confirms, sees the completion page with the
application number and the invoice PDF link, and gets the acceptance email; a group
learner sees no apply button and is told why and whom to ask."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kenshu.core.testing import DEFAULT_PASSWORD, SessionFactory, UserFactory, verified
from kenshu.core.time import tokyo_date
from kenshu.enrollments.models import Enrollment

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)
CONFIRM_SCREENSHOT = SCREENSHOTS / "kenshu-apply-confirm.png"
DONE_SCREENSHOT = SCREENSHOTS / "kenshu-apply-done.png"
REFUSED_SCREENSHOT = SCREENSHOTS / "kenshu-apply-refused.png"


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


@pytest.fixture
def session(db):
    return SessionFactory(
        course__code="ILC1234",
        course__title="ビジネス文書研修",
        course__fee=50_000,
        starts_on=tokyo_date() + dt.timedelta(days=40),
        capacity=12,
    )


def test_an_individual_applies_for_a_session_and_gets_the_number_the_invoice_and_the_email(
    live_server, page, session
):
    user = verified(UserFactory(username="kojin-e2e", email="kojin-e2e@example.jp"))
    log_in(page, live_server.url, "kojin-e2e")

    # Search the catalogue from the home page, open the course: its session has a button.
    page.goto(live_server.url + "/")
    page.get_by_role("searchbox", name="キーワードまたはコースコード").fill("文書")
    page.get_by_role("button", name="検索", exact=True).click()
    page.get_by_role("article").get_by_role("link", name="ビジネス文書研修").click()
    expect(page).to_have_url(live_server.url + "/courses/ILC1234/")
    page.locator(f'a[href="/apply/session/{session.pk}/"]').first.click()

    # The confirmation: price with tax, payment method, the dated cancellation tiers.
    expect(page).to_have_url(live_server.url + f"/apply/session/{session.pk}/")
    expect(page.get_by_role("heading", name="お申し込み内容の確認")).to_be_visible()
    expect(page.locator(".price-list")).to_contain_text("55,000円")
    expect(page.locator(".cancellation-tiers")).to_contain_text("受講料の50%")
    expect(page.get_by_text("請求書払い(銀行振込)", exact=False)).to_be_visible()
    page.screenshot(path=CONFIRM_SCREENSHOT, full_page=True)

    page.get_by_role("button", name="この内容で申し込む").click()

    # The completion page: application number, invoice PDF link, what happens next.
    enrollment = Enrollment.objects.get(learner=user)
    number = enrollment.order.number
    expect(page).to_have_url(live_server.url + f"/apply/done/{number}/")
    expect(page.locator(".application-number")).to_have_text(number)
    pdf_link = page.get_by_role("link", name="請求書をダウンロード(PDF)")
    expect(pdf_link).to_be_visible()
    page.screenshot(path=DONE_SCREENSHOT, full_page=True)

    invoice = enrollment.order.invoices.get()
    href = pdf_link.get_attribute("href")
    assert href == f"/account/invoices/{invoice.number}/pdf/"
    pdf = page.request.get(live_server.url + href)
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")

    # The acceptance email went out at once, with the number and the invoice link.
    accepted = [m for m in mail.outbox if m.to == ["kojin-e2e@example.jp"] and number in m.subject]
    assert len(accepted) == 1, [m.subject for m in mail.outbox]
    assert f"/account/invoices/{invoice.number}/pdf/" in accepted[0].body

    # My Account → applications lists it.
    page.goto(live_server.url + "/account/enrollments/")
    expect(page.get_by_text(number)).to_be_visible()


def test_a_group_learner_sees_no_apply_button_and_the_reason(live_server, page, session):
    learner = verified(UserFactory(group_learner=True, username="group-e2e"))
    UserFactory(
        group_applicant=True,
        organisation=learner.organisation,
        last_name="研修",
        first_name="担当",
    )
    log_in(page, live_server.url, "group-e2e")

    page.goto(live_server.url + f"/apply/session/{session.pk}/")

    action = page.locator(".apply-action")
    expect(action).to_contain_text("ご自身でのお申し込みはできません")
    expect(action).to_contain_text("研修 担当")
    expect(action).to_contain_text(learner.organisation.name)
    expect(page.get_by_role("button", name="この内容で申し込む")).to_have_count(0)
    page.screenshot(path=REFUSED_SCREENSHOT, full_page=True)
