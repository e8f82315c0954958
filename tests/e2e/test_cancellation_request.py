"""R-CANCEL-2 in a real browser: a group applicant asks, from its inventory, to cancel
one assigned seat; accounting processes the request in the staff queue; the seat is
cancelled, the credit note exists, and both emails (received, decided) were sent."""

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from kenshu.accounts import roles
from kenshu.billing.models import Invoice
from kenshu.core.testing import (
    DEFAULT_PASSWORD,
    OrganisationFactory,
    SessionFactory,
    UserFactory,
    make_staff,
    verified,
)
from kenshu.inventory.models import Seat
from kenshu.inventory.services import inventory_purchase, seat_assign
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import CancellationRequest

pytestmark = pytest.mark.e2e


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


def log_out(page):
    page.get_by_role("banner").get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("banner").get_by_role("link", name="ログイン")).to_be_visible()


def test_a_group_applicant_asks_to_cancel_a_seat_and_accounting_processes_it(live_server, page):
    organisation = OrganisationFactory(name="株式会社サンプル")
    applicant = verified(
        UserFactory(
            group_applicant=True,
            organisation=organisation,
            username="jinji-e2e",
            email="jinji-e2e@example.jp",
        )
    )
    learner = UserFactory(group_learner=True, organisation=organisation, email="gakushu@example.jp")
    verified(make_staff(roles.ACCOUNTING, username="keiri"))
    session = SessionFactory(course__code="ILC7001", course__title="会議術研修", capacity=5)
    # The purchase and the assignment, through the inventory services.
    item = inventory_purchase(actor=applicant, session=session, quantity=2)
    seat = Seat.objects.filter(item=item).order_by("pk").first()
    seat_assign(actor=applicant, seat=seat, learner=learner)
    mail.outbox.clear()

    # The applicant asks from its purchase's page: the form is prefilled.
    log_in(page, live_server.url, "jinji-e2e")
    page.goto(f"{live_server.url}/account/inventory/{item.pk}/")
    page.locator(f'a[href="/requests/cancellation/?seat={seat.pk}"]').click()
    expect(page.locator("input[name=course_code]")).to_have_value("ILC7001")
    expect(page.locator("input[name=learner_name]")).to_have_value(learner.full_name)
    page.locator("textarea[name=message]").fill("受講者の業務都合のため")
    page.get_by_role("button", name="キャンセルを依頼する").click()
    expect(page).to_have_url(live_server.url + "/account/requests/")
    request = CancellationRequest.objects.get(seat=seat)
    assert request.is_open
    log_out(page)

    # Accounting processes it from the queue, after the confirmation.
    log_in(page, live_server.url, "keiri")
    page.goto(live_server.url + "/staff/requests/")
    page.get_by_role("link", name=f"確認する 受付番号 {request.pk} の依頼").click()
    expect(page.get_by_text("連絡日時点のキャンセル料")).to_be_visible()
    page.get_by_role("button", name="席をキャンセルして書類を発行…").click()
    page.get_by_role("button", name="確定して処理する").click()
    expect(page.get_by_text("処理しました")).to_be_visible()

    request.refresh_from_db()
    seat.refresh_from_db()
    assert request.state == "done"
    assert seat.state == Seat.State.CANCELLED
    credit_note = request.credit_note
    assert credit_note is not None and credit_note.kind == Invoice.Kind.CREDIT_NOTE
    assert credit_note.original.order_id == item.order_id
    expect(page.get_by_text(credit_note.number)).to_be_visible()

    # Both emails: received (requester and staff queue), decided (requester).
    sent = {(e.template, e.to_email) for e in OutboxEmail.objects.filter(state="sent")}
    assert ("request_received", "jinji-e2e@example.jp") in sent
    assert ("staff_request_received", settings.KENSHU_STAFF_EMAIL) in sent
    assert ("request_decided", "jinji-e2e@example.jp") in sent
    to_applicant = [m for m in mail.outbox if m.to == ["jinji-e2e@example.jp"]]
    assert any(credit_note.number in m.body for m in to_applicant)
