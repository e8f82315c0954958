"""The staff back office in a real browser (DOMAIN.md §11): an administrator confirms a
session (開催決定) and finds the learners' emails in the email log; reception marks
attendance and completion, and the learner sees the completion in My Account."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from kenshu.accounts import roles
from kenshu.catalog.models import Session
from kenshu.core import time as ktime
from kenshu.core.testing import DEFAULT_PASSWORD, SessionFactory, UserFactory, make_staff, verified
from kenshu.enrollments.models import Enrollment
from kenshu.enrollments.services import enrollment_apply
from kenshu.notifications.models import OutboxEmail

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


def learner(username, last_name, first_name):
    return verified(
        UserFactory(
            username=username,
            email=f"{username}@example.jp",
            last_name=last_name,
            first_name=first_name,
        )
    )


def test_an_administrator_confirms_a_session_and_the_learners_emails_are_in_the_log(
    live_server, page, external_requests
):
    session = SessionFactory(course__code="ILC1234", course__title="ビジネス文書研修")
    learners = [learner("yamamoto", "山本", "一郎"), learner("nakamura", "中村", "花子")]
    for person in learners:
        enrollment_apply(actor=person, session=session)
    verified(make_staff(roles.ADMINISTRATOR, username="kanri"))

    log_in(page, live_server.url, "kanri")
    page.goto(live_server.url + "/staff/")
    page.get_by_role("navigation", name="事務局管理画面").get_by_role(
        "link", name="日程と受講者名簿"
    ).click()
    page.get_by_role("link", name=re.compile(r"\d+年\d+月\d+日")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ビジネス文書研修")
    page.get_by_role("link", name="開催を決定する").click()

    # The preview names everyone who will be emailed; nothing happens before confirming.
    expect(page.get_by_role("heading", name="2人にメールを送ります")).to_be_visible()
    for person in learners:
        expect(page.get_by_role("cell", name=person.email)).to_be_visible()
    page.get_by_role("button", name="決定の内容を確認する").click()
    expect(page.get_by_role("alert")).to_contain_text("確認してください")
    assert Session.objects.get(pk=session.pk).state == Session.State.OPEN
    page.get_by_role("button", name="開催を決定してメールを送る").click()

    expect(page).to_have_url(f"{live_server.url}/staff/sessions/{session.pk}/")
    expect(page.get_by_text("開催を決定しました")).to_be_visible()
    assert Session.objects.get(pk=session.pk).state == Session.State.CONFIRMED

    # The email log lists the two emails, each viewable.
    page.get_by_role("link", name="メール送信履歴").click()
    page.get_by_label("テンプレート").select_option("session_confirmed")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("status")).to_contain_text("2件見つかりました")
    for person in learners:
        expect(page.get_by_role("cell", name=person.email)).to_be_visible()
    page.get_by_role("row", name=re.compile("yamamoto@example.jp")).get_by_role(
        "link"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("開催決定のお知らせ")
    expect(page.locator("pre.mail-body")).to_contain_text("山本 一郎 様")
    assert OutboxEmail.objects.filter(template="session_confirmed").count() == 2
    assert external_requests == []


def test_reception_marks_attendance_and_completion_and_the_learner_sees_it(
    live_server, page, external_requests
):
    session = SessionFactory(course__code="ILC2000", course__title="会議運営研修")
    person = learner("suzuki", "鈴木", "一郎")
    other = learner("sato2", "佐藤", "次郎")
    place = enrollment_apply(actor=person, session=session)
    enrollment_apply(actor=other, session=session)
    starts = ktime.now() - dt.timedelta(days=1)  # the session took place yesterday
    Session.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=7), deadline=starts
    )
    verified(make_staff(roles.RECEPTION, username="uketsuke"))

    log_in(page, live_server.url, "uketsuke")
    page.goto(f"{live_server.url}/staff/sessions/{session.pk}/")
    page.get_by_role("checkbox", name="鈴木 一郎 を選択").check()
    page.get_by_label("選んだ受講者を次のとおり記録").select_option("attended")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("1名を「出席」として記録しました")).to_be_visible()
    assert Enrollment.objects.get(pk=place.pk).state == Enrollment.State.ATTENDED

    page.get_by_role("checkbox", name="鈴木 一郎 を選択").check()
    page.get_by_label("選んだ受講者を次のとおり記録").select_option("completed")
    page.get_by_role("button", name="記録する").click()
    expect(page.get_by_text("1名を「修了」として記録しました")).to_be_visible()
    done = Enrollment.objects.get(pk=place.pk)
    assert done.state == Enrollment.State.COMPLETED
    assert done.completed_on == ktime.tokyo_date()
    log_out(page)

    log_in(page, live_server.url, "suzuki")
    page.goto(live_server.url + "/account/enrollments/")
    row = page.get_by_role("row", name=re.compile("会議運営研修"))
    expect(row).to_contain_text("修了")
    expect(row).to_contain_text(f"{done.completed_on.year}年{done.completed_on.month}月")
    assert external_requests == []
