"""Type-change requests (種別変更依頼, R-TYPE-4): create by the customer, decide by staff.

DOMAIN.md §13: a request goes open → done / rejected, with the contact date,
the staff member who decided and the reason; §8: received (requester and the
staff queue) and decided (requester) emails.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core import time as kenshu_time
from kenshu.core.exceptions import Conflict, InvalidState, NotPermitted
from kenshu.core.testing import UserFactory, make_staff
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState, TypeChangeRequest
from kenshu.requests.services import type_change_request_create, type_change_request_decide

pytestmark = pytest.mark.django_db

UT = User.UserType


def actions() -> list[str]:
    return sorted(AuditEntry.objects.values_list("action", flat=True))


def create(user, **kwargs) -> TypeChangeRequest:
    kwargs.setdefault("company_name", user.organisation.name if user.organisation else "")
    kwargs.setdefault("full_name", user.full_name)
    return type_change_request_create(actor=user, **kwargs)


@pytest.fixture
def open_request(sato, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = create(sato, message="研修担当になりました。")
    mail.outbox.clear()
    AuditEntry.objects.all().delete()
    return request


# --- create ------------------------------------------------------------------------------


def test_a_corporate_user_asks_to_become_a_group_applicant_r_type_4(
    sato, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = create(sato, company_name="株式会社サンプル", message="研修担当になりました。")

    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert request.user == request.requester == sato
    assert request.requested_type == UT.GROUP_APPLICANT
    assert (request.user_id_text, request.company_name, request.full_name) == (
        "sato-corp",
        "株式会社サンプル",
        "佐藤 花子",
    )
    assert request.message == "研修担当になりました。"
    assert request.contact_date == kenshu_time.tokyo_date()
    assert request.decided_by is None and request.decided_at is None

    (entry,) = AuditEntry.objects.filter(action="request.type_change.created")
    assert entry.actor == sato
    assert entry.target == request

    # Received: to the requester and to the staff queue, from the no-reply address.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["sato@example.jp", settings.KENSHU_STAFF_EMAIL]
    )
    assert {m.from_email for m in mail.outbox} == {settings.KENSHU_NOREPLY_EMAIL}
    assert set(OutboxEmail.objects.values_list("template", "state")) == {
        ("request_received", OutboxEmail.State.SENT),
        ("staff_request_received", OutboxEmail.State.SENT),
    }
    to_requester = next(m for m in mail.outbox if m.to == ["sato@example.jp"])
    assert "sato-corp" in to_requester.body
    assert str(request.pk) in to_requester.subject


def test_the_received_emails_leave_only_after_the_commit(sato, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(sato)
        assert OutboxEmail.objects.count() == 2  # recorded in the same transaction
    assert mail.outbox == []
    assert len(callbacks) == 2


def test_the_contact_date_is_the_day_in_tokyo_not_in_utc(sato, monkeypatch):
    # 2025-03-31 16:30 UTC is 2025-04-01 01:30 in Tokyo.
    monkeypatch.setattr(kenshu_time, "now", lambda: dt.datetime(2025, 3, 31, 16, 30, tzinfo=dt.UTC))
    request = create(sato)
    request.refresh_from_db()
    assert request.contact_date == dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    "user_type", [UT.INDIVIDUAL, UT.GROUP_APPLICANT, UT.GROUP_LEARNER, UT.PARTNER_LEARNER]
)
def test_only_corporate_users_may_ask_for_the_type_change_r_type_4(
    user_type, django_capture_on_commit_callbacks
):
    user = UserFactory(user_type=user_type)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotPermitted):
        create(user, company_name="株式会社サンプル")
    assert TypeChangeRequest.objects.count() == 0
    assert actions() == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_staff_cannot_ask_for_a_type_change_on_their_own_account(reception):
    with pytest.raises(NotPermitted):
        create(reception, company_name="研修センター")


def test_a_second_open_request_is_a_conflict_and_nothing_new_is_saved(
    open_request, sato, django_capture_on_commit_callbacks
):
    emails_before = OutboxEmail.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as excinfo:
        create(sato, message="もう一度")
    assert (
        str(excinfo.value) == "受付中のご依頼がすでにあります。担当者より追ってご連絡いたします。"
    )
    assert list(TypeChangeRequest.objects.all()) == [open_request]
    assert actions() == []
    assert OutboxEmail.objects.count() == emails_before
    assert mail.outbox == []


def test_after_a_rejection_the_user_may_ask_again(open_request, sato, reception):
    type_change_request_decide(
        actor=reception, request=open_request, approve=False, reason="確認中"
    )
    again = create(sato)
    assert again.state == RequestState.OPEN
    assert TypeChangeRequest.objects.count() == 2


# --- decide ----------------------------------------------------------------------------------


def test_reception_approves_and_the_user_becomes_a_group_applicant_r_type_4(
    open_request, sato, reception, django_capture_on_commit_callbacks
):
    org = sato.organisation
    with django_capture_on_commit_callbacks(execute=True):
        decided = type_change_request_decide(actor=reception, request=open_request, approve=True)

    sato.refresh_from_db()
    assert sato.user_type == UT.GROUP_APPLICANT
    assert sato.organisation == org  # the group is its organisation (R-TYPE-3)

    decided.refresh_from_db()
    assert decided.state == RequestState.DONE
    assert decided.decided_by == reception
    assert decided.decided_at is not None
    assert decided.decision_reason == ""

    assert actions() == ["request.type_change.approved", "user.type_changed"]
    assert {e.actor for e in AuditEntry.objects.all()} == {reception}
    changed = AuditEntry.objects.get(action="user.type_changed")
    assert (changed.data["from"], changed.data["to"]) == (UT.CORPORATE, UT.GROUP_APPLICANT)

    # The user is emailed the decision (and, R-MAIL "user type changed", the new type).
    decision = OutboxEmail.objects.get(template="request_decided")
    assert decision.to_email == "sato@example.jp"
    assert decision.context["approved"] is True
    assert decision.state == OutboxEmail.State.SENT
    assert OutboxEmail.objects.get(template="user_type_changed").to_email == "sato@example.jp"
    assert all(m.to == ["sato@example.jp"] for m in mail.outbox)
    subjects = [m.subject for m in mail.outbox]
    assert any("承認" in s for s in subjects), subjects


def test_reception_rejects_with_a_reason_and_the_user_is_told_why(
    open_request, sato, reception, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        type_change_request_decide(
            actor=reception,
            request=open_request,
            approve=False,
            reason="ご所属の確認が取れませんでした。",
        )

    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    open_request.refresh_from_db()
    assert open_request.state == RequestState.REJECTED
    assert open_request.decided_by == reception
    assert open_request.decision_reason == "ご所属の確認が取れませんでした。"
    assert actions() == ["request.type_change.rejected"]
    (message,) = mail.outbox
    assert message.to == ["sato@example.jp"]
    assert "ご所属の確認が取れませんでした。" in message.body


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_rejection_needs_a_reason_and_changes_nothing_without_one(
    open_request, sato, reception, reason, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidState):
        type_change_request_decide(
            actor=reception, request=open_request, approve=False, reason=reason
        )
    open_request.refresh_from_db()
    assert open_request.state == RequestState.OPEN
    assert open_request.decided_by is None
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert actions() == []
    assert mail.outbox == []


@pytest.mark.parametrize("first_approve", [True, False])
@pytest.mark.parametrize("second_approve", [True, False])
def test_a_request_is_decided_only_once(
    open_request, reception, first_approve, second_approve, django_capture_on_commit_callbacks
):
    type_change_request_decide(
        actor=reception, request=open_request, approve=first_approve, reason="一回目"
    )
    other_clerk = make_staff(roles.RECEPTION)
    entries, emails = AuditEntry.objects.count(), OutboxEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidState):
        type_change_request_decide(
            actor=other_clerk, request=open_request, approve=second_approve, reason="二回目"
        )

    open_request.refresh_from_db()
    assert open_request.state == (RequestState.DONE if first_approve else RequestState.REJECTED)
    assert open_request.decided_by == reception
    assert open_request.decision_reason == "一回目"
    assert AuditEntry.objects.count() == entries
    assert OutboxEmail.objects.count() == emails


def test_a_stale_copy_of_a_decided_request_cannot_be_decided_again(open_request, reception):
    stale = TypeChangeRequest.objects.get(pk=open_request.pk)  # still says "open"
    type_change_request_decide(actor=reception, request=open_request, approve=False, reason="却下")
    with pytest.raises(InvalidState):
        type_change_request_decide(actor=reception, request=stale, approve=True)
    stale.user.refresh_from_db()
    assert stale.user.user_type == UT.CORPORATE


@pytest.mark.parametrize("who", ["accountant", "the requester", "a staff member without a role"])
def test_only_staff_allowed_to_decide_may_decide(
    who, open_request, sato, accountant, django_capture_on_commit_callbacks
):
    actor = {
        "accountant": accountant,
        "the requester": sato,
        "a staff member without a role": UserFactory(staff=True),
    }[who]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotPermitted):
        type_change_request_decide(actor=actor, request=open_request, approve=True)
    open_request.refresh_from_db()
    assert open_request.state == RequestState.OPEN
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert actions() == []
    assert mail.outbox == []


def test_an_administrator_may_decide_too(open_request, sato):
    admin = make_staff(roles.ADMINISTRATOR)
    type_change_request_decide(actor=admin, request=open_request, approve=True)
    sato.refresh_from_db()
    assert sato.user_type == UT.GROUP_APPLICANT


def test_approving_a_user_who_lost_its_organisation_fails_and_changes_nothing(
    open_request, sato, reception
):
    User.objects.filter(pk=sato.pk).update(user_type=UT.INDIVIDUAL, organisation=None)
    with pytest.raises(InvalidState):
        type_change_request_decide(actor=reception, request=open_request, approve=True)
    open_request.refresh_from_db()
    assert open_request.state == RequestState.OPEN
    assert actions() == []
