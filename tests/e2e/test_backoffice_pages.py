"""The staff pages render offline in a real browser: the dashboard's charts are inline
SVG (no CDN, no script), each with its tooltips and its table; screenshots are left in
/tmp for a person to look at."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kenshu.accounts import roles
from kenshu.core.testing import (
    DEFAULT_PASSWORD,
    SessionFactory,
    UserFactory,
    make_staff,
    verified,
)
from kenshu.enrollments.services import enrollment_apply
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")  # noqa: S108  (fixed names, for a person to look at)


def log_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("banner").get_by_role("button", name="ログアウト")).to_be_visible()


def test_the_dashboard_draws_its_charts_offline(live_server, page, external_requests):
    session = SessionFactory(course__code="ILC1234", course__title="ビジネス文書研修")
    for i in range(3):
        enrollment_apply(actor=UserFactory(username=f"chart{i}"), session=session)
    OutboxEmail.objects.create(
        template="welcome", to_email="x@example.jp", state="failed", last_error="boom"
    )
    verified(make_staff(roles.ADMINISTRATOR, username="kanri"))

    log_in(page, live_server.url, "kanri")
    page.goto(live_server.url + "/staff/")
    page.wait_for_load_state("networkidle")
    charts = page.locator("svg.chart-svg")
    expect(charts).to_have_count(3)
    expect(page.get_by_role("img", name="月別の販売席数(直近12か月)")).to_be_visible()
    expect(page.get_by_role("img", name="コース別の充足率")).to_be_visible()
    page.get_by_text("表で見る").first.click()
    expect(page.get_by_role("row", name=re.compile(r"\d+年\d+月 3"))).to_be_visible()
    assert page.locator("svg.chart-svg title").count() > 12
    page.screenshot(path=SCREENSHOTS / "kenshu-staff-dashboard.png", full_page=True)

    page.goto(f"{live_server.url}/staff/sessions/{session.pk}/")
    expect(page.get_by_role("heading", name="受講者名簿")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "kenshu-staff-session.png", full_page=True)

    page.goto(live_server.url + "/staff/emails/")
    page.get_by_role("link", name=re.compile(r"\d{4}-\d{2}-\d{2}")).first.click()
    expect(page.locator("iframe.mail-html")).to_have_attribute("sandbox", "")
    page.screenshot(path=SCREENSHOTS / "kenshu-staff-email.png", full_page=True)
    assert external_requests == []
