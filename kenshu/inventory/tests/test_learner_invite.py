"""A new colleague's account (R-APPLY-2, R-TYPE-3): created by the group applicant in its
organisation, without a password, with an invitation to set one (once, before it
expires); an address of another organisation is refused; an address of a learner of
the group gives that learner back."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.inventory.exceptions import (
    EmailOfAnotherOrganisation,
    EmailOfNonLearner,
    InvalidLearnerData,
    InvitationInvalid,
    InvitationNotNeeded,
    OwnEmail,
    UserIdTaken,
)
from kenshu.inventory.services import (
    learner_invitation_accept,
    learner_invitation_resend,
    learner_invite,
)
from kenshu.inventory.services.learners import learner_invitation_check
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/account/invitation/(?P<uid>[0-9a-z]+)/(?P<token>[0-9a-z-]+)/")
NEW_PASSWORD = "Sakura-Momiji-2026"


def invite(applicant, **fields):
    values = {
        "last_name": "山本",
        "first_name": "さくら",
        "last_name_kana": "ヤマモト",
        "first_name_kana": "サクラ",
        "email": "sakura@sample.example.jp",
    }
    values.update(fields)
    return learner_invite(actor=applicant, **values)


def token_from_outbox(user) -> str:
    email = (
        OutboxEmail.objects.filter(template="learner_invitation", to_email=user.email)
        .order_by("pk")
        .last()
    )
    return LINK.search(email.context["invitation_path"]).group("token")


def test_r_apply_2_the_new_colleague_is_a_group_learner_of_the_organisation_without_password(
    applicant,
):
    learner = invite(applicant)
    assert learner.user_type == User.UserType.GROUP_LEARNER
    assert learner.organisation == applicant.organisation
    assert learner.username == "sakura@sample.example.jp"  # the user ID defaults to the email
    assert (learner.last_name, learner.first_name) == ("山本", "さくら")
    assert (learner.last_name_kana, learner.first_name_kana) == ("ヤマモト", "サクラ")
    assert not learner.has_usable_password()
    assert AuditEntry.objects.filter(action="user.invited", actor=applicant).count() == 1


def test_the_invitation_email_has_the_user_id_and_a_link_to_set_the_password(applicant):
    learner = invite(applicant, username="yamamoto-s")
    outbox_dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == [learner.email]]
    assert "鈴木 人事" in message.subject
    assert "yamamoto-s" in message.body
    assert "株式会社サンプル" in message.body
    assert LINK.search(message.body)


def test_a_partner_organisations_applicant_creates_partner_learners():
    partner_applicant = UserFactory(
        group_applicant=True, organisation=OrganisationFactory(partner=True)
    )
    learner = invite(partner_applicant)
    assert learner.user_type == User.UserType.PARTNER_LEARNER


def test_an_address_of_a_learner_of_the_group_gives_that_learner_back(applicant, colleague):
    assert invite(applicant, email=colleague.email.upper()) == colleague
    assert User.objects.count() == 2
    assert not OutboxEmail.objects.filter(template="learner_invitation").exists()


def test_an_address_of_a_user_of_another_organisation_is_refused_and_nothing_is_saved(applicant):
    other = UserFactory(corporate=True, email="taro@other.example.jp")
    with pytest.raises(EmailOfAnotherOrganisation) as error:
        invite(applicant, email="taro@other.example.jp")
    assert "taro@other.example.jp" in str(error.value) and "他の会社" in str(error.value)
    assert User.objects.exclude(pk__in=[applicant.pk, other.pk]).count() == 0
    assert not OutboxEmail.objects.exists()
    assert not AuditEntry.objects.filter(action="user.invited").exists()


def test_an_address_of_an_individual_account_may_also_have_a_group_learner_account(applicant):
    UserFactory(email="sakura@sample.example.jp", username="sakura-kojin")  # one person, two
    learner = invite(applicant)
    assert learner.user_type == User.UserType.GROUP_LEARNER


def test_the_applicants_own_address_is_refused_for_a_new_learner(applicant):
    with pytest.raises(OwnEmail):
        invite(applicant, email=applicant.email)


def test_a_corporate_user_of_the_organisation_cannot_be_made_a_learner_by_the_applicant(
    applicant,
):
    UserFactory(
        corporate=True, organisation=applicant.organisation, email="bucho@sample.example.jp"
    )
    with pytest.raises(EmailOfNonLearner):
        invite(applicant, email="bucho@sample.example.jp")


def test_a_user_id_already_taken_is_refused(applicant):
    UserFactory(username="yamamoto-s")
    with pytest.raises(UserIdTaken):
        invite(applicant, username="yamamoto-s")


@pytest.mark.parametrize(
    "fields",
    [{"last_name": ""}, {"email": "not-an-email"}, {"last_name_kana": "yamamoto"}],
    ids=["no name", "bad email", "kana in latin letters"],
)
def test_bad_details_are_refused(applicant, fields):
    with pytest.raises(InvalidLearnerData):
        invite(applicant, **fields)
    assert User.objects.count() == 1


def test_only_group_applicants_invite(colleague):
    from kenshu.core.exceptions import NotPermitted

    with pytest.raises(NotPermitted):
        invite(colleague)


def test_r_acct_4_the_invitation_sets_the_password_once_and_verifies_the_address(applicant):
    learner = invite(applicant)
    token = token_from_outbox(learner)
    assert learner_invitation_check(learner=learner, token=token)

    learner = learner_invitation_accept(learner=learner, token=token, password=NEW_PASSWORD)

    learner.refresh_from_db()
    assert learner.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.filter(user=learner, email=learner.email, verified=True).exists()
    assert not learner_invitation_check(learner=learner, token=token)  # used once
    with pytest.raises(InvitationInvalid):
        learner_invitation_accept(learner=learner, token=token, password="Another-pass-2026")


def test_the_invitation_link_expires_after_seven_days(applicant, monkeypatch):
    learner = invite(applicant)
    token = token_from_outbox(learner)
    later = dt.datetime.now() + dt.timedelta(days=7, minutes=5)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    assert not learner_invitation_check(learner=learner, token=token)
    with pytest.raises(InvitationInvalid):
        learner_invitation_accept(learner=learner, token=token, password=NEW_PASSWORD)


def test_a_new_invitation_makes_the_earlier_links_stop_working(applicant):
    learner = invite(applicant)
    first = token_from_outbox(learner)
    learner_invitation_resend(actor=applicant, learner=learner)
    learner.refresh_from_db()
    second = token_from_outbox(learner)
    assert not learner_invitation_check(learner=learner, token=first)
    assert learner_invitation_check(learner=learner, token=second)
    assert OutboxEmail.objects.filter(template="learner_invitation").count() == 2


def test_no_invitation_is_resent_to_a_learner_who_has_a_password(applicant, colleague):
    with pytest.raises(InvitationNotNeeded):
        learner_invitation_resend(actor=applicant, learner=colleague)
