"""R-MIGRATE-4: the system renewal email, only when asked, once per member whatever the
number of runs, through the outbox; Japanese, English for users who chose English."""

import pytest
from django.core import mail

from kenshu.accounts.models import User
from kenshu.migration.models import LegacyMember
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

from .helpers import booking, corporate, member, run

pytestmark = pytest.mark.django_db


def test_R_MIGRATE_4_no_notice_unless_asked(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = run([member(1)])
    assert result.notices_queued == 0
    assert not OutboxEmail.objects.exists() and mail.outbox == []
    assert LegacyMember.objects.get().notice_queued_at is None


def test_R_MIGRATE_4_each_migrated_member_gets_the_notice_once_however_often_it_runs(
    catalogue, django_capture_on_commit_callbacks
):
    members = [
        member(1, login_id="yamada", email="yamada@example.jp"),
        corporate(2, login_id="jinji", email="jinji@example.jp"),
        member(3, email="broken"),
    ]
    bookings = [booking(1, "M0002", participant_name="鈴木", participant_email="s@example.jp")]
    with django_capture_on_commit_callbacks(execute=True):
        first = run(members, bookings, send_notices=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = run(members, bookings, send_notices=True)
    outbox_dispatch_due()

    assert (first.notices_queued, second.notices_queued) == (2, 0)
    rows = OutboxEmail.objects.order_by("to_email")
    assert [(r.to_email, r.template, r.dedup_key, r.state) for r in rows] == [
        ("jinji@example.jp", "system_renewal", "system_renewal:M0002", "sent"),
        ("yamada@example.jp", "system_renewal", "system_renewal:M0001", "sent"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["jinji@example.jp", "yamada@example.jp"]
    assert all(LegacyMember.objects.values_list("notice_queued_at", flat=True))


def test_R_MIGRATE_4_a_member_imported_without_notices_gets_one_when_a_later_run_asks(
    catalogue,
):
    run([member(1)])
    result = run([member(2)], send_notices=True)  # the first member is not in this file
    assert result.notices_queued == 2
    assert set(OutboxEmail.objects.values_list("dedup_key", flat=True)) == {
        "system_renewal:M0001",
        "system_renewal:M0002",
    }


def test_R_MIGRATE_4_the_notice_says_what_changed_the_user_id_the_type_and_the_links(
    catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run(
            [corporate(1, login_id="jinji", email="jinji@example.jp", company="株式会社サンプル")],
            [booking(1, participant_name="鈴木", participant_email="s@example.jp")],
            send_notices=True,
        )

    (message,) = mail.outbox
    assert message.to == ["jinji@example.jp"]
    assert "システムリニューアル" in message.subject
    body = message.body
    assert "ユーザーID：jinji" in body
    assert "ユーザー種別：法人グループ申込者" in body
    assert "会社名：株式会社サンプル" in body
    assert "/accounts/password/reset/" in body
    assert "/accounts/forgot-user-id/" in body
    assert "パスワードは移行されていません" in body
    assert "インベントリ" in body  # what a group applicant does
    html = dict((mimetype, content) for content, mimetype in message.alternatives)["text/html"]
    assert 'href="http://127.0.0.1:8000/accounts/password/reset/"' in html
    assert "jinji" in html


def test_R_MIGRATE_4_the_notice_is_in_english_for_a_user_who_chose_english(
    catalogue, django_capture_on_commit_callbacks
):
    run([member(1, login_id="smith", email="smith@example.com")])
    User.objects.filter(username="smith").update(language="en")

    with django_capture_on_commit_callbacks(execute=True):
        run([member(1, login_id="smith", email="smith@example.com")], send_notices=True)

    (message,) = mail.outbox
    assert "renewed" in message.subject
    assert "User ID: smith" in message.body
    assert "Individual" in message.body


def test_R_MIGRATE_4_the_dry_run_sends_nothing(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = run([member(1)], send_notices=True, dry_run=True)
    assert result.notices_queued == 1
    assert not OutboxEmail.objects.exists() and mail.outbox == []
