"""Users, their types (R-TYPE, DOMAIN.md §2), user IDs and emails (R-ACCT-1), staff roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kenshu.accounts import roles
from kenshu.accounts.models import User
from kenshu.core.testing import OrganisationFactory, UserFactory

UT = User.UserType

# DOMAIN.md §2: type, 種別, applies for self.
USER_TYPES = [
    (UT.INDIVIDUAL, "個人", True),
    (UT.CORPORATE, "法人", True),
    (UT.GROUP_APPLICANT, "法人グループ申込者", True),
    (UT.GROUP_LEARNER, "法人グループ受講者", False),
    (UT.PARTNER_LEARNER, "パートナー受講者", False),
]


def test_the_user_types_are_exactly_those_of_domain_section_2_r_type():
    assert [value for value, _label in UT.choices] == [
        "individual",
        "corporate",
        "group_applicant",
        "group_learner",
        "partner_learner",
    ]


@pytest.mark.parametrize(("user_type", "japanese", "_self"), USER_TYPES)
def test_user_type_labels_are_the_japanese_terms_of_domain_section_2_r_type_1(
    user_type, japanese, _self
):
    assert str(user_type.label) == japanese
    assert User(user_type=user_type).get_user_type_display() == japanese


def test_user_type_labels_are_english_under_the_english_language():
    with translation.override("en"):
        assert str(UT.INDIVIDUAL.label) == "Individual"
        assert str(UT.GROUP_APPLICANT.label) == "Corporate-group applicant"


@pytest.mark.parametrize(("user_type", "_japanese", "applies_for_self"), USER_TYPES)
def test_only_individual_corporate_and_group_applicant_users_apply_for_themselves_r_type(
    user_type, _japanese, applies_for_self
):
    assert User(user_type=user_type).can_apply_for_self is applies_for_self


def test_corporate_and_group_types_belong_to_an_organisation_r_type_3():
    assert {UT.CORPORATE, UT.GROUP_APPLICANT, UT.GROUP_LEARNER, UT.PARTNER_LEARNER} == set(
        User.ORGANISATION_TYPES
    )
    assert UT.INDIVIDUAL not in User.ORGANISATION_TYPES


def test_a_new_user_is_an_individual_by_default():
    assert User().user_type == UT.INDIVIDUAL


def test_full_name_is_family_name_first():
    assert User(last_name="山田", first_name="花子").full_name == "山田 花子"
    assert str(User(username="hanako")) == "hanako"


@pytest.mark.django_db
def test_two_users_may_share_an_email_address_r_acct_1():
    """One person may hold an individual and a corporate account."""
    UserFactory(username="yamada-private", email="yamada@example.jp")
    UserFactory(username="yamada-work", email="yamada@example.jp", corporate=True)
    assert User.objects.filter(email="yamada@example.jp").count() == 2


@pytest.mark.django_db
def test_user_ids_are_unique_r_acct_1():
    UserFactory(username="yamada")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="yamada")


@pytest.mark.django_db
def test_the_database_rejects_an_unknown_user_type():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(user_type="bogus")
    user.refresh_from_db()
    assert user.user_type == UT.INDIVIDUAL


@pytest.mark.django_db
def test_creating_a_user_with_an_unknown_type_fails_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="bogus", user_type="bogus")


@pytest.mark.django_db
def test_model_validation_rejects_an_unknown_user_type():
    user = UserFactory.build(user_type="bogus")
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "user_type" in caught.value.message_dict


@pytest.mark.django_db
def test_factories_give_organisation_types_an_organisation():
    assert UserFactory().organisation is None
    assert UserFactory(corporate=True).organisation is not None
    partner_learner = UserFactory(partner_learner=True)
    assert partner_learner.organisation.kind == partner_learner.organisation.Kind.PARTNER
    org = OrganisationFactory()
    assert UserFactory(group_learner=True, organisation=org).organisation == org


# --- Staff roles --------------------------------------------------------------


@pytest.mark.django_db
def test_the_role_groups_exist_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    assert {roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR} <= names
    for role in (roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR):
        assert Group.objects.get(name=role).permissions.exists()


def test_role_labels_are_japanese():
    assert str(roles.LABELS[roles.RECEPTION]) == "受付"
    assert str(roles.LABELS[roles.ACCOUNTING]) == "経理"
    assert str(roles.LABELS[roles.ADMINISTRATOR]) == "管理者"


@pytest.mark.django_db
def test_an_administrator_can_change_users():
    admin = UserFactory(staff=True, groups=[roles.ADMINISTRATOR])
    assert admin.has_perm("accounts.change_user")
    assert admin.has_perm("accounts.change_organisation")
    assert admin.has_perm("audit.view_auditentry")


@pytest.mark.django_db
def test_accounting_can_view_audit_entries_but_not_change_users():
    accountant = UserFactory(staff=True, groups=[roles.ACCOUNTING])
    assert accountant.has_perm("audit.view_auditentry")
    assert accountant.has_perm("accounts.view_user")
    assert not accountant.has_perm("accounts.change_user")


@pytest.mark.django_db
def test_reception_cannot_view_audit_entries():
    clerk = UserFactory(staff=True, groups=[roles.RECEPTION])
    assert clerk.has_perm("accounts.change_user")
    assert not clerk.has_perm("audit.view_auditentry")


@pytest.mark.django_db
def test_nobody_may_edit_the_audit_trail_through_a_role():
    for role in (roles.RECEPTION, roles.ACCOUNTING, roles.ADMINISTRATOR):
        member = UserFactory(staff=True, groups=[role])
        for action in ("add", "change", "delete"):
            assert not member.has_perm(f"audit.{action}_auditentry"), (role, action)


@pytest.mark.django_db
def test_roles_sync_is_idempotent_and_restores_removed_permissions():
    group = Group.objects.get(name=roles.ACCOUNTING)
    before = set(group.permissions.values_list("pk", flat=True))
    group.permissions.clear()
    roles.roles_sync()
    roles.roles_sync()
    assert set(group.permissions.values_list("pk", flat=True)) == before
