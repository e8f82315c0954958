"""受講者変更 (R-APPLY-5): a group applicant asks for an assigned seat to go to another
learner of its group or to a new colleague; staff cancel the assignment and assign the
new learner; the seat stays bought (no money document)."""

import pytest
from django.conf import settings
from django.core import mail

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice
from kenshu.core.exceptions import Conflict, DomainError, InvalidState, NotPermitted
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.enrollments.models import Enrollment
from kenshu.inventory.models import Seat
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import LearnerChangeRequest, RequestState
from kenshu.requests.services import (
    learner_change_request_create,
    learner_change_request_process,
    request_reject,
)

from .conftest import seats_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat(item):
    return seats_of(item)[0]  # assigned to 高橋 学


def test_a_group_applicant_asks_for_a_learner_of_its_group(
    applicant, seat, colleague, colleague2, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        request = learner_change_request_create(
            actor=applicant, seat=seat, new_learner=colleague2, message="出張のため交代"
        )
    request.refresh_from_db()
    assert request.state == RequestState.OPEN
    assert request.current_learner_name == "高橋 学"
    assert request.new_learner == colleague2
    assert (request.new_learner_name, request.new_learner_email) == (
        "伊藤 恵",
        "ito@sample.example.jp",
    )
    assert sorted(to for to, _s in outbox()) == sorted(
        ["jinji@sample.example.jp", settings.KENSHU_STAFF_EMAIL]
    )
    assert AuditEntry.objects.filter(action="request.learner_change.created").count() == 1


def test_a_new_colleague_is_asked_for_by_name_kana_and_email(applicant, seat):
    request = learner_change_request_create(
        actor=applicant,
        seat=seat,
        last_name="山本",
        first_name="新",
        last_name_kana="やまもと",
        first_name_kana="しん",
        email="yamamoto@sample.example.jp",
    )
    assert request.new_learner is None and request.is_new_colleague
    assert request.new_learner_name == "山本 新"
    assert request.new_learner_email == "yamamoto@sample.example.jp"


def test_a_new_colleagues_address_of_a_learner_of_the_group_names_that_learner(
    applicant, seat, colleague2
):
    request = learner_change_request_create(
        actor=applicant, seat=seat, last_name="伊藤", first_name="恵", email="ITO@sample.example.jp"
    )
    assert request.new_learner == colleague2


def test_an_address_of_another_organisations_user_is_refused(applicant, seat):
    UserFactory(group_learner=True, organisation=OrganisationFactory(), email="x@other.example.jp")
    with pytest.raises(DomainError):
        learner_change_request_create(
            actor=applicant,
            seat=seat,
            last_name="他社",
            first_name="太郎",
            email="x@other.example.jp",
        )
    assert LearnerChangeRequest.objects.count() == 0


def test_the_new_learner_must_be_of_the_group(applicant, seat):
    stranger = UserFactory(group_learner=True)
    with pytest.raises(InvalidState):
        learner_change_request_create(actor=applicant, seat=seat, new_learner=stranger)


def test_an_unassigned_seat_has_no_learner_to_change(applicant, item, colleague2):
    with pytest.raises(InvalidState):
        learner_change_request_create(
            actor=applicant, seat=seats_of(item)[1], new_learner=colleague2
        )


def test_another_applicants_seat_is_not_found(seat, colleague2):
    with pytest.raises(Seat.DoesNotExist):
        learner_change_request_create(
            actor=UserFactory(group_applicant=True), seat=seat, new_learner=colleague2
        )


def test_one_open_request_per_seat(applicant, seat, colleague2):
    learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)
    with pytest.raises(Conflict):
        learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)


def test_group_learners_cannot_ask(seat, colleague, colleague2):
    with pytest.raises(NotPermitted):
        learner_change_request_create(actor=colleague, seat=seat, new_learner=colleague2)


def test_R_APPLY_5_processed_the_old_enrolment_is_cancelled_and_the_new_learner_holds_the_same_seat(
    applicant, seat, colleague, colleague2, reception, django_capture_on_commit_callbacks
):
    request = learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)
    old_enrollment = seat.enrollment
    invoices_before = Invoice.objects.count()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = learner_change_request_process(actor=reception, request=request)

    done.refresh_from_db()
    assert done.state == RequestState.DONE and done.decided_by == reception
    assert done.assigned_learner == colleague2
    old_enrollment.refresh_from_db()
    assert old_enrollment.state == Enrollment.State.CANCELLED
    seat.refresh_from_db()
    assert seat.state == Seat.State.ASSIGNED  # the seat stays bought
    assert seat.learner == colleague2
    assert seat.enrollment.learner == colleague2 and seat.enrollment.is_live
    assert seat.enrollment.session_id == seat.item.session_id
    assert Invoice.objects.count() == invoices_before  # no money document
    assert AuditEntry.objects.filter(action="request.learner_change.processed").count() == 1
    decided = OutboxEmail.objects.get(template="request_decided")
    assert decided.to_email == "jinji@sample.example.jp"
    assert "ito@sample.example.jp" in [m.to[0] for m in mail.outbox]  # the new learner is told


def test_processing_a_new_colleague_creates_and_invites_its_account(
    applicant, seat, organisation, reception, django_capture_on_commit_callbacks
):
    request = learner_change_request_create(
        actor=applicant,
        seat=seat,
        last_name="山本",
        first_name="新",
        last_name_kana="ヤマモト",
        first_name_kana="シン",
        email="yamamoto@sample.example.jp",
    )
    with django_capture_on_commit_callbacks(execute=True):
        learner_change_request_process(actor=reception, request=request)
    newcomer = User.objects.get(email="yamamoto@sample.example.jp")
    assert newcomer.user_type == User.UserType.GROUP_LEARNER
    assert newcomer.organisation == organisation
    assert not newcomer.has_usable_password()
    seat.refresh_from_db()
    assert seat.learner == newcomer
    assert OutboxEmail.objects.filter(
        template="learner_invitation", to_email=newcomer.email
    ).exists()


def test_accounting_cannot_process_learner_changes(applicant, seat, colleague2, accountant):
    request = learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)
    with pytest.raises(NotPermitted):
        learner_change_request_process(actor=accountant, request=request)
    seat.refresh_from_db()
    assert seat.learner.username == "takahashi"


def test_a_learner_change_is_rejected_with_a_reason(
    applicant, seat, colleague2, reception, django_capture_on_commit_callbacks
):
    request = learner_change_request_create(actor=applicant, seat=seat, new_learner=colleague2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_reject(actor=reception, request=request, reason="開催直前のため変更できません")
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    (message,) = mail.outbox
    assert "開催直前のため変更できません" in message.body
    seat.refresh_from_db()
    assert seat.learner.username == "takahashi"
