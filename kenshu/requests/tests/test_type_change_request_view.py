"""/requests/type-change/ (R-TYPE-4): a corporate user asks to become a group applicant.

The form is prefilled from the account; the POST creates the request through the
service (emails to the requester and the staff queue, an audit entry) and
redirects to My requests. Users whose type may not ask see why and get no form;
a forged POST from them is refused with 403 and creates nothing.
"""

import pytest
from django.conf import settings
from django.core import mail

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState, TypeChangeRequest

pytestmark = pytest.mark.django_db

URL = "/requests/type-change/"
UT = User.UserType


def post_form(client, **data):
    data = {"company_name": "株式会社サンプル", "full_name": "佐藤 花子", "message": "", **data}
    return client.post(URL, data)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/requests/type-change/")


def test_a_corporate_user_sees_the_form_prefilled_from_its_account_r_type_4(client, sato):
    client.force_login(sato)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert form["user_id"].value() == "sato-corp"
    assert form.fields["user_id"].disabled  # shown, read-only
    assert form["company_name"].value() == "株式会社サンプル"
    assert form["full_name"].value() == "佐藤 花子"
    assert 'value="sato-corp"' in html and "disabled" in html
    assert "種別変更依頼" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_posting_the_form_creates_one_open_request_and_really_sends_two_emails_r_type_4(
    client, sato, django_capture_on_commit_callbacks
):
    client.force_login(sato)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client, message="研修担当になりました。")

    assert response.status_code == 302
    assert response["Location"] == "/account/requests/"
    (request,) = TypeChangeRequest.objects.all()
    assert request.state == RequestState.OPEN
    assert request.user == sato
    assert request.requested_type == UT.GROUP_APPLICANT
    assert (request.user_id_text, request.company_name, request.full_name) == (
        "sato-corp",
        "株式会社サンプル",
        "佐藤 花子",
    )
    assert request.message == "研修担当になりました。"
    assert AuditEntry.objects.filter(action="request.type_change.created", actor=sato).count() == 1

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["sato@example.jp", settings.KENSHU_STAFF_EMAIL]
    )
    to_sato = next(m for m in mail.outbox if m.to == ["sato@example.jp"])
    assert f"No. {request.pk}" in to_sato.subject or str(request.pk) in to_sato.subject
    assert "種別変更依頼" in to_sato.subject
    to_staff = next(m for m in mail.outbox if m.to == [settings.KENSHU_STAFF_EMAIL])
    assert f"/staff/requests/type-change/{request.pk}/" in to_staff.body

    # Post/redirect/get: the success message shows on My requests.
    page = client.get(response["Location"])
    assert f"受付番号 {request.pk}" in page.content.decode()


def test_the_user_id_cannot_be_changed_by_posting_another_one(client, sato):
    client.force_login(sato)
    post_form(client, user_id="someone-else")
    assert TypeChangeRequest.objects.get().user_id_text == "sato-corp"


def test_a_missing_company_or_name_is_a_form_error_and_nothing_is_saved(client, sato):
    client.force_login(sato)
    response = post_form(client, company_name="  ", full_name="")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"company_name", "full_name"}
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'aria-invalid="true"' in html
    assert TypeChangeRequest.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_an_already_open_request_is_a_form_error_and_nothing_is_saved(
    client, sato, django_capture_on_commit_callbacks
):
    client.force_login(sato)
    post_form(client)
    mail.outbox.clear()
    emails = OutboxEmail.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client, message="もう一度")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "受付中のご依頼がすでにあります。担当者より追ってご連絡いたします。"
    ]
    assert TypeChangeRequest.objects.count() == 1
    assert OutboxEmail.objects.count() == emails
    assert mail.outbox == []


def test_with_an_open_request_the_page_says_so_instead_of_showing_the_form(client, sato):
    client.force_login(sato)
    post_form(client)
    response = client.get(URL)
    assert response.context["form"] is None
    assert response.context["open_request"] == TypeChangeRequest.objects.get()
    html = response.content.decode()
    assert "受付中のご依頼があります" in html
    assert '<form method="post" novalidate>' not in html


@pytest.mark.parametrize(
    ("user_type", "expected"),
    [
        pytest.param(
            UT.INDIVIDUAL,
            "法人グループ申込者への種別変更をご依頼いただけるのは、法人ユーザーの方のみです。",
            id="individual",
        ),
        pytest.param(
            UT.GROUP_APPLICANT,
            "法人グループ申込者への種別変更をご依頼いただけるのは、法人ユーザーの方のみです。",
            id="group_applicant",
        ),
        pytest.param(UT.GROUP_LEARNER, "法人グループ受講者", id="group_learner"),
        pytest.param(UT.PARTNER_LEARNER, "パートナー受講者", id="partner_learner"),
    ],
)
def test_users_who_may_not_ask_see_the_reason_and_no_form_r_type_2_r_type_4(
    client, user_type, expected
):
    client.force_login(UserFactory(user_type=user_type))
    response = client.get(URL)
    assert response.status_code == 200
    assert "form" not in response.context
    html = response.content.decode()
    assert expected in html
    assert 'name="company_name"' not in html


def test_a_group_learner_is_told_whom_to_ask_r_type_2(client):
    applicant = UserFactory(group_applicant=True, last_name="鈴木", first_name="一郎")
    learner = UserFactory(group_learner=True, organisation=applicant.organisation)
    client.force_login(learner)
    html = client.get(URL).content.decode()
    assert f"鈴木 一郎({applicant.organisation.name})" in html


@pytest.mark.parametrize(
    "user_type", [UT.INDIVIDUAL, UT.GROUP_APPLICANT, UT.GROUP_LEARNER, UT.PARTNER_LEARNER]
)
def test_a_forged_post_from_a_user_who_may_not_ask_is_refused_and_creates_nothing(
    client, user_type, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(user_type=user_type))
    with django_capture_on_commit_callbacks(execute=True):
        response = post_form(client)
    assert response.status_code == 403
    assert TypeChangeRequest.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_the_form_needs_a_csrf_token(sato):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sato)
    response = post_form(client)
    assert response.status_code == 403
    assert TypeChangeRequest.objects.count() == 0


def test_a_staff_member_sees_the_refusal_too(client):
    client.force_login(UserFactory(staff=True))
    response = client.get(URL)
    assert response.status_code == 200
    assert "form" not in response.context
