"""/account/group/ and the invitation link (issue 5 §5, §7; R-TYPE-2): the applicant's
learners with their enrolments and who has not set a password; adding (inviting) a
learner; a learner sets its password from the link and sees its courses; group and
partner learners see no apply button but whom to ask."""

import re

import pytest
from django.core import mail

from kenshu.accounts.models import User
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.inventory.services import learner_invite, seat_assign
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import outbox_dispatch_due

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/account/invitation/[0-9a-z]+/[0-9a-z-]+/")
PASSWORD = "Sakura-Momiji-2026"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def new_colleague(applicant):
    return learner_invite(
        actor=applicant,
        last_name="山本",
        first_name="さくら",
        last_name_kana="ヤマモト",
        first_name_kana="サクラ",
        email="sakura@sample.example.jp",
    )


def invitation_link(user) -> str:
    outbox_dispatch_due()
    (message,) = [m for m in mail.outbox if m.to == [user.email] and "パスワード" in m.subject]
    return LINK.search(message.body).group(0)


def test_my_group_lists_the_learners_their_enrolments_and_pending_passwords(
    client, applicant, colleague, item
):
    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    pending = new_colleague(applicant)
    UserFactory(group_learner=True)  # another organisation's learner: not listed
    client.force_login(applicant)
    response = client.get("/account/group/")
    assert [u.pk for u in response.context["page"].object_list] == [colleague.pk, pending.pk]
    html = text(response)
    assert "高橋 学" in html and "ILC1234" in html
    row = html.split(f'id="learner-{pending.pk}"')[1].split("</tr>")[0]
    assert "パスワード未設定" in row and "招待メールを再送する" in row
    row = html.split(f'id="learner-{colleague.pk}"')[1].split("</tr>")[0]
    assert "パスワード未設定" not in row


def test_adding_a_learner_invites_it(client, applicant):
    client.force_login(applicant)
    response = client.post(
        "/account/group/",
        {
            "last_name": "山本",
            "first_name": "さくら",
            "last_name_kana": "ヤマモト",
            "first_name_kana": "サクラ",
            "email": "sakura@sample.example.jp",
        },
        follow=True,
    )
    assert "招待メールを送りました" in text(response)
    assert User.objects.get(email="sakura@sample.example.jp").organisation == applicant.organisation
    assert OutboxEmail.objects.filter(template="learner_invitation").count() == 1


def test_adding_an_address_of_another_organisation_is_refused(client, applicant):
    UserFactory(corporate=True, email="taro@other.example.jp")
    client.force_login(applicant)
    response = client.post(
        "/account/group/",
        {
            "last_name": "他社",
            "first_name": "太郎",
            "last_name_kana": "タシャ",
            "first_name_kana": "タロウ",
            "email": "taro@other.example.jp",
        },
    )
    assert response.status_code == 400 and "他の会社" in text(response)
    assert not User.objects.filter(user_type="group_learner").exists()


def test_resending_an_invitation(client, applicant):
    learner = new_colleague(applicant)
    client.force_login(applicant)
    response = client.post(f"/account/group/{learner.pk}/resend-invitation/", follow=True)
    assert "新しい招待メールを送りました" in text(response)
    assert OutboxEmail.objects.filter(template="learner_invitation").count() == 2


def test_no_one_resends_another_organisations_invitations(client, applicant):
    other = UserFactory(group_applicant=True)
    stranger = new_colleague(other)
    client.force_login(applicant)
    assert client.post(f"/account/group/{stranger.pk}/resend-invitation/").status_code == 404


@pytest.mark.parametrize("learners", [2, 12])
def test_my_group_costs_the_same_number_of_queries_for_few_and_many_learners(
    client, applicant, django_assert_num_queries, learners
):
    for _ in range(learners):
        UserFactory(group_learner=True, organisation=applicant.organisation)
    client.force_login(applicant)
    # session, user, the applicant's organisation, count, page, enrolments
    with django_assert_num_queries(6):
        response = client.get("/account/group/")
    assert len(response.context["page"].object_list) == learners


def test_the_invited_colleague_sets_a_password_and_sees_its_course(client, applicant, item):
    learner = new_colleague(applicant)
    seat_assign(actor=applicant, seat=item.seats.first(), learner=learner)
    link = invitation_link(learner)

    page = client.get(link)
    assert "パスワードの設定" in text(page) and "sakura@sample.example.jp" in text(page)
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response["Location"] == "/account/"
    html = text(client.get("/account/enrollments/"))
    assert "ILC1234" in html and "お支払いは申込者様" in html

    client.logout()
    assert "このリンクはご利用いただけません" in text(client.get(link))  # works once
    assert client.login(username=learner.username, password=PASSWORD)


def test_a_weak_password_is_refused_and_the_link_still_works(client, applicant):
    learner = new_colleague(applicant)
    link = invitation_link(learner)
    response = client.post(link, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200 and "error-summary" in text(response)
    learner.refresh_from_db()
    assert not learner.has_usable_password()


def test_a_forged_invitation_link_cannot_be_used(client, colleague):
    response = client.get(f"/account/invitation/{colleague.pk:x}/abc-123/")
    assert "このリンクはご利用いただけません" in text(response)
    response = client.post(
        "/account/invitation/zzzz/abc-123/", {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 400


def test_r_type_2_a_group_learner_sees_no_apply_button_but_its_applicant(
    client, applicant, colleague, session
):
    client.force_login(colleague)
    html = text(client.get(f"/courses/{session.course.code}/"))
    assert f'href="/apply/session/{session.pk}/"' not in html
    assert f'href="/purchase/session/{session.pk}/"' not in html
    assert "鈴木 人事" in html and "株式会社サンプル" in html


def test_r_type_2_a_partner_learner_sees_its_partners_applicant(client, session):
    partner = OrganisationFactory(partner=True, name="提携パートナー株式会社")
    UserFactory(group_applicant=True, organisation=partner, last_name="提携", first_name="担当")
    learner = UserFactory(partner_learner=True, organisation=partner)
    client.force_login(learner)
    html = text(client.get(f"/courses/{session.course.code}/"))
    assert f'href="/apply/session/{session.pk}/"' not in html
    assert "提携 担当" in html and "提携パートナー株式会社" in html


def test_a_group_learner_sees_its_assigned_courses_in_my_account(
    client, applicant, colleague, item, elearning
):
    from kenshu.inventory.services import inventory_purchase

    seat_assign(actor=applicant, seat=item.seats.first(), learner=colleague)
    el = inventory_purchase(actor=applicant, course=elearning, quantity=1)
    seat_assign(actor=applicant, seat=el.seats.get(), learner=colleague)
    client.force_login(colleague)
    html = text(client.get("/account/enrollments/"))
    assert "ILC1234" in html and "EL100" in html
    assert "お支払いは申込者様" in html
