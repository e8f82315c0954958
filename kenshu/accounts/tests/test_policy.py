"""What each user type may do: the R-TYPE table of DOMAIN.md §2 (kenshu.accounts.policy).

The expected answers are written out here by hand from DOMAIN.md, not read
from ``policy.RIGHTS``: a change to the rights must change this table too.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from kenshu.accounts import policy
from kenshu.accounts.models import User
from kenshu.accounts.policy import Action
from kenshu.core.exceptions import NotPermitted
from kenshu.core.testing import OrganisationFactory, UserFactory

UT = User.UserType
Y, N = True, False

#: Columns of the table below, in order.
ACTIONS = [
    Action.APPLY_FOR_SELF,
    Action.BUY_FOR_OTHERS,
    Action.CANCEL_OWN_ENROLLMENT,
    Action.CANCEL_INVENTORY,
    Action.REQUEST_TYPE_CHANGE,
    Action.REQUEST_INVENTORY_CHANGE,
]

# DOMAIN.md §2 (R-TYPE), R-TYPE-4 (only corporate users ask to become group
# applicants), R-CANCEL-1/2 (inventory is cancelled by staff, on request of its
# group applicant; learners ask their applicant).
#
#                      apply   buy for  cancel own  cancel     request      request
#                      self    others   enrolment   inventory  type change  inventory change
RIGHTS_TABLE = {
    UT.INDIVIDUAL: (Y, N, Y, N, N, N),
    UT.CORPORATE: (Y, N, Y, N, Y, N),
    UT.GROUP_APPLICANT: (Y, Y, Y, N, N, Y),
    UT.GROUP_LEARNER: (N, N, N, N, N, N),
    UT.PARTNER_LEARNER: (N, N, N, N, N, N),
}

CASES = [
    pytest.param(user_type, action, allowed, id=f"{user_type.value}-{action.value}")
    for user_type, row in RIGHTS_TABLE.items()
    for action, allowed in zip(ACTIONS, row, strict=True)
]


def test_the_rights_table_covers_every_user_type_and_every_action():
    assert set(RIGHTS_TABLE) == set(UT)
    assert set(ACTIONS) == set(Action)


@pytest.mark.parametrize(("user_type", "action", "allowed"), CASES)
def test_each_user_type_may_do_exactly_what_the_r_type_table_says(user_type, action, allowed):
    user = UserFactory.build(user_type=user_type)
    assert policy.can(user, action) is allowed
    if allowed:
        policy.require(user, action)  # does not raise
    else:
        with pytest.raises(NotPermitted):
            policy.require(user, action)


@pytest.mark.parametrize("action", list(Action))
def test_anonymous_users_may_do_nothing(action):
    assert policy.can(AnonymousUser(), action) is False
    assert policy.can(None, action) is False
    with pytest.raises(NotPermitted) as excinfo:
        policy.require(AnonymousUser(), action)
    assert str(excinfo.value) == "ログインしてください。"


@pytest.mark.parametrize("user_type", list(UT))
@pytest.mark.parametrize("action", list(Action))
def test_inactive_users_may_do_nothing_whatever_their_type(user_type, action):
    user = UserFactory.build(user_type=user_type, is_active=False)
    assert policy.can(user, action) is False


def test_require_raises_not_permitted_with_the_refusal_reason_as_its_message():
    user = UserFactory.build(user_type=UT.INDIVIDUAL)
    with pytest.raises(NotPermitted) as excinfo:
        policy.require(user, Action.BUY_FOR_OTHERS)
    assert excinfo.value.code == "not_permitted"
    assert str(excinfo.value) == policy.refusal_reason(user, Action.BUY_FOR_OTHERS)
    assert str(excinfo.value) == "お客様のユーザー種別（個人）では、この操作は行えません。"


def test_a_group_applicant_is_told_that_staff_cancel_inventory_r_cancel_2():
    user = UserFactory.build(user_type=UT.GROUP_APPLICANT)
    with pytest.raises(NotPermitted) as excinfo:
        policy.require(user, Action.CANCEL_INVENTORY)
    assert "申し込みキャンセル依頼" in str(excinfo.value)


def test_only_corporate_users_are_told_they_may_request_a_type_change_r_type_4():
    user = UserFactory.build(user_type=UT.INDIVIDUAL)
    assert policy.refusal_reason(user, Action.REQUEST_TYPE_CHANGE) == (
        "法人グループ申込者への種別変更をご依頼いただけるのは、法人ユーザーの方のみです。"
    )


# --- R-TYPE-2: whom a learner asks ------------------------------------------


@pytest.mark.django_db
def test_whom_to_ask_finds_the_active_group_applicants_of_a_group_learners_organisation_r_type_3():
    org = OrganisationFactory(name="株式会社サンプル")
    learner = UserFactory(group_learner=True, organisation=org)
    first = UserFactory(
        group_applicant=True, organisation=org, last_name="佐藤", last_name_kana="サトウ"
    )
    second = UserFactory(
        group_applicant=True, organisation=org, last_name="鈴木", last_name_kana="スズキ"
    )
    # Not whom to ask: another organisation's applicant, a colleague learner,
    # a corporate user of the same company, an inactive applicant.
    UserFactory(group_applicant=True)
    UserFactory(group_learner=True, organisation=org)
    UserFactory(corporate=True, organisation=org)
    UserFactory(group_applicant=True, organisation=org, is_active=False)

    assert policy.whom_to_ask(learner) == [first, second]


@pytest.mark.django_db
def test_a_group_learner_is_told_why_and_the_name_and_organisation_of_its_applicants_r_type_2():
    org = OrganisationFactory(name="株式会社サンプル")
    learner = UserFactory(group_learner=True, organisation=org)
    UserFactory(
        group_applicant=True,
        organisation=org,
        last_name="佐藤",
        first_name="花子",
        last_name_kana="サトウ",
    )
    UserFactory(
        group_applicant=True,
        organisation=org,
        last_name="鈴木",
        first_name="一郎",
        last_name_kana="スズキ",
    )

    with pytest.raises(NotPermitted) as excinfo:
        policy.require(learner, Action.APPLY_FOR_SELF)

    message = str(excinfo.value)
    assert message == (
        "法人グループ受講者のユーザーは、ご自身でお申し込み・キャンセルを行うことはできません。"
        "申込者（佐藤 花子(株式会社サンプル)、鈴木 一郎(株式会社サンプル)）にご依頼ください。"
    )


@pytest.mark.django_db
def test_a_partner_learner_is_sent_to_the_group_applicants_of_its_partner_organisation_r_type_3():
    partner = OrganisationFactory(partner=True, name="提携パートナー株式会社")
    learner = UserFactory(partner_learner=True, organisation=partner)
    applicant = UserFactory(
        group_applicant=True, organisation=partner, last_name="高橋", first_name="次郎"
    )
    UserFactory(group_applicant=True)  # a customer organisation's applicant: not this one

    assert policy.whom_to_ask(learner) == [applicant]
    reason = policy.refusal_reason(learner, Action.CANCEL_OWN_ENROLLMENT)
    assert reason.startswith("パートナー受講者のユーザーは")
    assert "高橋 次郎(提携パートナー株式会社)" in reason


@pytest.mark.django_db
@pytest.mark.parametrize("user_type", [UT.GROUP_LEARNER, UT.PARTNER_LEARNER])
def test_a_learner_without_an_applicant_is_told_to_ask_the_person_in_charge_r_type_2(user_type):
    learner = UserFactory(user_type=user_type)  # its organisation has no group applicant
    assert policy.whom_to_ask(learner) == []
    reason = policy.refusal_reason(learner, Action.APPLY_FOR_SELF)
    assert reason.endswith("貴社の研修ご担当者様にご依頼ください。")
    assert "申込者（" not in reason


def test_a_learner_without_an_organisation_has_no_one_to_ask():
    learner = UserFactory.build(group_learner=True, organisation=None)
    assert policy.whom_to_ask(learner) == []
    assert "研修ご担当者様" in policy.refusal_reason(learner, Action.APPLY_FOR_SELF)


@pytest.mark.django_db
def test_refusal_messages_are_japanese_by_default_and_english_when_chosen():
    learner = UserFactory(group_learner=True)
    japanese = policy.refusal_reason(learner, Action.APPLY_FOR_SELF)
    with translation.override("en"):
        english = policy.refusal_reason(learner, Action.APPLY_FOR_SELF)
    assert "ご依頼ください" in japanese
    assert english == (
        "As a Corporate-group learner you cannot apply or cancel yourself. "
        "Please ask the person in charge of training at your organisation."
    )
