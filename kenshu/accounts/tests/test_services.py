"""Writes on users and organisations (kenshu.accounts.services): R-ACCT, R-TYPE-3, R-TYPE-4."""

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from kenshu.accounts.models import Organisation, User
from kenshu.accounts.services import (
    organisation_for_name,
    user_ids_remind,
    user_profile_update,
    user_registered,
    user_type_change,
    user_welcome,
)
from kenshu.accounts.tasks import remind_user_ids
from kenshu.audit.models import AuditEntry
from kenshu.core.exceptions import InvalidState, NotPermitted
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

UT = User.UserType


def audit(action: str, target=None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action)
    if target is not None:
        entries = entries.filter(target_id=str(target.pk))
    return list(entries)


def html_of(message) -> str:
    return dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]


# --- organisation_for_name (R-TYPE-3) -------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "株式会社サンプル",
        "株式会社 サンプル",  # half-width space
        "株式会社　サンプル",  # full-width space
        " 株式会社サンプル ",
        "株式会社ｻﾝﾌﾟﾙ",  # half-width katakana
        "株式会社 ｻﾝﾌﾟﾙ",
    ],
)
def test_company_names_that_differ_only_in_width_and_spaces_are_one_organisation(spelling):
    first = organisation_for_name(name="株式会社サンプル")
    assert organisation_for_name(name=spelling) == first
    assert Organisation.objects.count() == 1


def test_full_width_latin_letters_and_digits_fold_to_half_width():
    first = organisation_for_name(name="ABC商事2号")
    assert organisation_for_name(name="ＡＢＣ商事２号") == first


def test_a_new_company_name_creates_an_organisation_with_its_name_normalised():
    org = organisation_for_name(name=" ｻﾝﾌﾟﾙ商事 ", name_kana="サンプルショウジ")
    assert org.name == "サンプル商事"
    assert org.name_kana == "サンプルショウジ"
    assert org.kind == Organisation.Kind.CUSTOMER


def test_different_company_names_are_different_organisations():
    assert organisation_for_name(name="株式会社サンプル") != organisation_for_name(
        name="株式会社サンプル商事"
    )


def test_a_partner_organisation_of_the_same_name_is_not_taken_for_a_customer():
    partner = OrganisationFactory(partner=True, name="株式会社サンプル")
    org = organisation_for_name(name="株式会社サンプル")
    assert org != partner
    assert org.kind == Organisation.Kind.CUSTOMER


@pytest.mark.parametrize("name", ["", "   ", "　"])
def test_a_blank_company_name_is_refused(name):
    with pytest.raises(InvalidState):
        organisation_for_name(name=name)
    assert Organisation.objects.count() == 0


# --- user_registered (R-ACCT-1) ------------------------------------------------------------


def test_a_registered_corporate_user_is_attached_to_the_organisation_of_its_company_r_acct_1():
    existing = OrganisationFactory(name="株式会社サンプル")
    user = UserFactory(user_type=UT.CORPORATE, organisation=None)

    user_registered(user=user, company_name="株式会社 サンプル", company_kana="サンプル")

    user.refresh_from_db()
    assert user.organisation == existing
    (entry,) = audit("user.registered", user)
    assert entry.actor == user
    assert entry.data["user_type"] == UT.CORPORATE


def test_a_registered_corporate_user_of_a_new_company_gets_a_new_organisation():
    user = UserFactory(user_type=UT.CORPORATE, organisation=None)
    user_registered(user=user, company_name="新規株式会社", company_kana="シンキ")
    user.refresh_from_db()
    assert user.organisation.name == "新規株式会社"
    assert user.organisation.name_kana == "シンキ"


def test_a_registered_individual_user_has_no_organisation_and_is_audited():
    user = UserFactory()
    user_registered(user=user, company_name="")
    user.refresh_from_db()
    assert user.organisation is None
    assert len(audit("user.registered", user)) == 1


@pytest.mark.parametrize("user_type", [UT.GROUP_APPLICANT, UT.GROUP_LEARNER, UT.PARTNER_LEARNER])
def test_only_individual_and_corporate_users_can_register_themselves_r_acct_1(user_type):
    user = UserFactory(user_type=user_type)
    with pytest.raises(NotPermitted):
        user_registered(user=user, company_name="株式会社サンプル")
    assert audit("user.registered") == []


# --- user_welcome and the verification signal (R-ACCT-1, R-MAIL) ------------------------------


def test_the_welcome_email_is_queued_once_and_tells_the_user_id(django_capture_on_commit_callbacks):
    user = UserFactory(username="hanako-01", email="hanako@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        user_welcome(user=user)
        user_welcome(user=user)  # e.g. a second verification: no second welcome

    row = OutboxEmail.objects.get()
    assert (row.template, row.to_email) == ("welcome", "hanako@example.jp")
    assert row.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert row.state == OutboxEmail.State.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@example.jp"]
    assert "hanako-01" in message.body
    assert "hanako-01" in html_of(message)


def test_a_welcome_email_follows_the_email_verification_r_acct_1(
    django_capture_on_commit_callbacks,
):
    user = UserFactory(username="hanako-01", email="hanako@example.jp")
    address = EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    request = RequestFactory().get("/")
    with django_capture_on_commit_callbacks(execute=True):
        email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
    assert OutboxEmail.objects.filter(template="welcome", to_email="hanako@example.jp").count() == 1
    assert len(mail.outbox) == 1


def test_the_welcome_email_is_in_the_users_language():
    user = UserFactory(language="en")
    user_welcome(user=user)
    assert OutboxEmail.objects.get().language == "en"


# --- user_profile_update (R-ACCT-5) -------------------------------------------------------------


def test_a_user_changes_its_own_name_kana_and_department_and_the_change_is_audited():
    user = UserFactory(last_name="山田", last_name_kana="ヤマダ", department="")
    user_profile_update(
        actor=user, user=user, last_name="山本", last_name_kana="ヤマモト", department="営業部"
    )

    user.refresh_from_db()
    assert (user.last_name, user.last_name_kana, user.department) == ("山本", "ヤマモト", "営業部")
    (entry,) = audit("user.profile_updated", user)
    assert entry.actor == user
    assert entry.data == {
        "last_name": ["山田", "山本"],
        "last_name_kana": ["ヤマダ", "ヤマモト"],
        "department": ["", "営業部"],
    }


def test_an_unchanged_profile_writes_no_audit_entry():
    user = UserFactory(last_name="山田")
    user_profile_update(actor=user, user=user, last_name="山田")
    assert audit("user.profile_updated") == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("email", "new@example.jp"),
        ("username", "new-id"),
        ("user_type", UT.GROUP_APPLICANT),
        ("is_staff", True),
        ("organisation_id", 1),
    ],
)
def test_fields_other_than_name_kana_and_department_cannot_be_changed_this_way(field, value):
    user = UserFactory(last_name="山田")
    before = User.objects.values().get(pk=user.pk)
    with pytest.raises(NotPermitted):
        user_profile_update(actor=user, user=user, last_name="山本", **{field: value})
    assert User.objects.values().get(pk=user.pk) == before
    assert audit("user.profile_updated") == []


def test_a_user_cannot_change_another_users_profile():
    user, other = UserFactory(last_name="山田"), UserFactory()
    with pytest.raises(NotPermitted):
        user_profile_update(actor=other, user=user, last_name="山本")
    user.refresh_from_db()
    assert user.last_name == "山田"
    assert audit("user.profile_updated") == []


def test_staff_without_the_change_user_permission_cannot_change_a_profile(accountant):
    user = UserFactory(last_name="山田")
    with pytest.raises(NotPermitted):
        user_profile_update(actor=accountant, user=user, last_name="山本")
    user.refresh_from_db()
    assert user.last_name == "山田"


def test_staff_with_the_change_user_permission_change_a_profile_audited_as_themselves(reception):
    user = UserFactory(department="")
    user_profile_update(actor=reception, user=user, department="人事部")
    user.refresh_from_db()
    assert user.department == "人事部"
    (entry,) = audit("user.profile_updated", user)
    assert entry.actor == reception


def test_a_user_whose_legacy_user_id_fails_todays_rules_can_still_edit_its_profile():
    """Only the fields being changed are validated (R-MIGRATE-1 carries login IDs over)."""
    user = UserFactory(department="")
    User.objects.filter(pk=user.pk).update(username="tanaka taro")  # a space: not valid today
    user.refresh_from_db()
    user_profile_update(actor=user, user=user, department="営業部")
    user.refresh_from_db()
    assert (user.username, user.department) == ("tanaka taro", "営業部")


def test_an_over_long_name_is_refused_and_nothing_is_saved():
    user = UserFactory(last_name="山田", department="")
    with pytest.raises(ValidationError):
        user_profile_update(actor=user, user=user, department="営業部", last_name="長" * 151)
    user.refresh_from_db()
    assert (user.last_name, user.department) == ("山田", "")
    assert audit("user.profile_updated") == []


# --- user_type_change (R-TYPE-4) ---------------------------------------------------------------


def test_staff_change_a_users_type_audited_with_from_and_to_and_the_user_is_emailed_r_type_4(
    reception, django_capture_on_commit_callbacks
):
    user = UserFactory(corporate=True, username="sato-corp", email="sato@example.jp")
    org = user.organisation

    with django_capture_on_commit_callbacks(execute=True):
        user_type_change(
            actor=reception, user=user, user_type=UT.GROUP_APPLICANT, reason="電話で依頼"
        )

    user.refresh_from_db()
    assert user.user_type == UT.GROUP_APPLICANT
    assert user.organisation == org
    (entry,) = audit("user.type_changed", user)
    assert entry.actor == reception
    assert entry.data["from"] == UT.CORPORATE
    assert entry.data["to"] == UT.GROUP_APPLICANT
    assert entry.data["reason"] == "電話で依頼"

    row = OutboxEmail.objects.get(template="user_type_changed")
    assert row.to_email == "sato@example.jp"
    assert row.state == OutboxEmail.State.SENT
    (message,) = mail.outbox
    assert message.to == ["sato@example.jp"]
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert "法人グループ申込者" in message.body  # the new type, in words


def test_staff_change_the_type_and_the_organisation_together(reception):
    user = UserFactory()  # individual, no organisation
    org = OrganisationFactory()
    user_type_change(actor=reception, user=user, user_type=UT.GROUP_LEARNER, organisation=org)
    user.refresh_from_db()
    assert (user.user_type, user.organisation) == (UT.GROUP_LEARNER, org)
    (entry,) = audit("user.type_changed", user)
    assert entry.data["organisation_from"] is None
    assert entry.data["organisation_to"] == org.pk


@pytest.mark.parametrize("actor_kind", ["accountant", "the user itself", "another customer"])
def test_without_the_permission_a_type_change_is_refused_and_nothing_changes(
    actor_kind, accountant, django_capture_on_commit_callbacks
):
    user = UserFactory(corporate=True)
    actor = {
        "accountant": accountant,
        "the user itself": user,
        "another customer": UserFactory(),
    }[actor_kind]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotPermitted):
        user_type_change(actor=actor, user=user, user_type=UT.GROUP_APPLICANT)
    user.refresh_from_db()
    assert user.user_type == UT.CORPORATE
    assert audit("user.type_changed") == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    "user_type", [UT.CORPORATE, UT.GROUP_APPLICANT, UT.GROUP_LEARNER, UT.PARTNER_LEARNER]
)
def test_a_type_that_belongs_to_an_organisation_needs_one_r_type_3(reception, user_type):
    user = UserFactory()  # individual, no organisation
    with pytest.raises(InvalidState):
        user_type_change(actor=reception, user=user, user_type=user_type)
    user.refresh_from_db()
    assert user.user_type == UT.INDIVIDUAL
    assert audit("user.type_changed") == []
    assert OutboxEmail.objects.count() == 0


def test_an_unknown_user_type_is_refused(reception):
    user = UserFactory()
    with pytest.raises(InvalidState):
        user_type_change(actor=reception, user=user, user_type="superhero")
    user.refresh_from_db()
    assert user.user_type == UT.INDIVIDUAL


def test_setting_the_same_type_and_organisation_changes_nothing_and_sends_nothing(reception):
    user = UserFactory(corporate=True)
    user_type_change(actor=reception, user=user, user_type=UT.CORPORATE)
    assert audit("user.type_changed") == []
    assert OutboxEmail.objects.count() == 0


# --- user_ids_remind: forgot user ID (R-ACCT-3) ------------------------------------------------


@pytest.fixture
def hanako_accounts():
    """One person, two accounts on one address (R-ACCT-1): individual and corporate."""
    individual = UserFactory(username="hanako@example.jp", email="hanako@example.jp")
    corporate = UserFactory(corporate=True, username="hanako-corp", email="Hanako@Example.jp")
    return individual, corporate


def test_every_user_id_of_a_known_address_is_emailed_in_one_email_from_no_reply_r_acct_3(
    hanako_accounts, django_capture_on_commit_callbacks
):
    UserFactory(username="hanako-old", email="hanako@example.jp", is_active=False)
    UserFactory(username="someone-else", email="other@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        assert user_ids_remind(email="hanako@example.jp") is True

    row = OutboxEmail.objects.get()
    assert row.template == "forgot_user_id"
    assert row.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert row.context["user_ids"] == ["hanako@example.jp", "hanako-corp"]
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    for body in (message.body, html_of(message)):
        assert "hanako@example.jp" in body
        assert "hanako-corp" in body
        assert "hanako-old" not in body  # inactive accounts are not listed
        assert "someone-else" not in body


def test_the_address_is_matched_whatever_its_case_and_surrounding_spaces(
    hanako_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert user_ids_remind(email="  HANAKO@example.JP ") is True
    assert OutboxEmail.objects.get().context["user_ids"] == ["hanako@example.jp", "hanako-corp"]
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_no_email_r_acct_3(
    hanako_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert user_ids_remind(email="nobody@example.jp") is False
    assert callbacks == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_an_address_of_inactive_accounts_only_gets_no_email(django_capture_on_commit_callbacks):
    UserFactory(username="gone", email="gone@example.jp", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert user_ids_remind(email="gone@example.jp") is False
    assert mail.outbox == []


def test_the_reminder_is_in_the_language_of_the_page(hanako_accounts):
    user_ids_remind(email="hanako@example.jp", language="en")
    assert OutboxEmail.objects.get().language == "en"


def test_the_remind_user_ids_task_does_the_same_in_the_background(
    hanako_accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = remind_user_ids.enqueue("hanako@example.jp", "ja")
    assert result.return_value is True
    assert len(mail.outbox) == 1
    assert remind_user_ids.enqueue("nobody@example.jp", "ja").return_value is False
