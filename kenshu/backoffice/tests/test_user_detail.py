"""/staff/users/<pk>/ (R-TYPE-4, DOMAIN.md §11): everything known about a user, and
(with ``accounts.change_user``) a direct change of type and organisation: confirmed
first, then audited (``user.type_changed``) and emailed to the user."""

import pytest
from django.core import mail

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.audit.services import audit_log
from kenshu.backoffice.views import users as user_views
from kenshu.core.exceptions import InvalidState
from kenshu.core.testing import (
    OrganisationFactory,
    UserFactory,
    corporate_customer,
    make_type_change_request,
)
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState

pytestmark = pytest.mark.django_db

UT = User.UserType


@pytest.fixture
def sato():
    return corporate_customer(department="人事部 研修課")


def url(user) -> str:
    return f"/staff/users/{user.pk}/"


def change(client, user, **data):
    return client.post(url(user), {"user_type": "", "organisation": "", "reason": "", **data})


def test_the_page_shows_the_account_its_requests_audit_entries_and_emails(
    client, sato, administrator
):
    request = make_type_change_request(sato, state=RequestState.REJECTED, decision_reason="確認中")
    audit_log(actor=administrator, action="user.profile_updated", target=sato, data={"x": 1})
    audit_log(actor=sato, action="request.type_change.created", target=request)
    OutboxEmail.objects.create(
        template="welcome", to_email="SATO@example.jp", subject="ようこそ", state="sent"
    )
    OutboxEmail.objects.create(template="welcome", to_email="other@example.jp", subject="別人宛")
    client.force_login(administrator)

    response = client.get(url(sato))

    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        "sato-corp",
        "佐藤 花子",
        "サトウ ハナコ",
        "sato@example.jp",
        "法人",  # the user type in words (R-TYPE-1)
        "株式会社サンプル",
        "人事部 研修課",
        f'href="/staff/requests/type-change/{request.pk}/"',
        "確認中",
        "user.profile_updated",
        "request.type_change.created",  # about its request
        "ようこそ",
    ]:
        assert expected in html, expected
    assert "別人宛" not in html
    assert [e.action for e in response.context["audit_entries"]] == [
        "request.type_change.created",
        "user.profile_updated",
    ]


def test_reception_sees_no_audit_log_without_the_audit_permission(client, sato, reception):
    client.force_login(reception)
    response = client.get(url(sato))
    assert response.context["audit_entries"] is None
    assert response.context["emails"] == []


def test_accounting_sees_the_user_but_no_change_form(client, sato, accountant):
    client.force_login(accountant)
    response = client.get(url(sato))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'name="user_type"' not in response.content.decode()


def test_a_direct_change_is_confirmed_first_and_nothing_changes_before(
    client, sato, reception, django_capture_on_commit_callbacks
):
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(client, sato, user_type=UT.GROUP_APPLICANT, reason="電話で依頼を受けた")

    assert response.status_code == 200
    assert response.context["confirming"] is True
    html = response.content.decode()
    assert "法人 → <strong>法人グループ申込者</strong>" in html
    assert 'name="confirmed" value="1"' in html
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert AuditEntry.objects.count() == 0
    assert OutboxEmail.objects.count() == 0


def test_a_confirmed_direct_change_is_audited_and_emailed_to_the_user_r_type_4(
    client, sato, reception, django_capture_on_commit_callbacks
):
    other = OrganisationFactory(name="株式会社ベツ")
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = change(
            client,
            sato,
            user_type=UT.GROUP_APPLICANT,
            organisation=other.pk,
            reason="電話で依頼を受けた",
            confirmed="1",
        )

    assert response.status_code == 302
    assert response["Location"] == url(sato)
    sato.refresh_from_db()
    assert (sato.user_type, sato.organisation) == (UT.GROUP_APPLICANT, other)
    entry = AuditEntry.objects.get(action="user.type_changed")
    assert entry.actor == reception
    assert entry.target == sato
    assert entry.data["from"] == UT.CORPORATE and entry.data["to"] == UT.GROUP_APPLICANT
    assert entry.data["organisation_to"] == other.pk
    assert entry.data["reason"] == "電話で依頼を受けた"
    email = OutboxEmail.objects.get(template="user_type_changed")
    assert email.to_email == "sato@example.jp"
    assert email.context["new_type"] == UT.GROUP_APPLICANT
    assert [m.to for m in mail.outbox] == [["sato@example.jp"]]

    page = client.get(response["Location"])
    assert "法人グループ申込者" in page.content.decode()
    assert "メールでお知らせしました" in page.content.decode()


def test_a_change_needs_a_reason(client, sato, reception):
    client.force_login(reception)
    response = change(client, sato, user_type=UT.GROUP_APPLICANT, confirmed="1")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE


def test_a_change_that_changes_nothing_is_a_form_error(client, sato, reception):
    client.force_login(reception)
    response = change(client, sato, user_type=UT.CORPORATE, reason="念のため", confirmed="1")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert AuditEntry.objects.count() == 0


def test_a_type_that_needs_an_organisation_cannot_be_given_without_one(client, reception):
    individual = UserFactory()
    client.force_login(reception)
    response = change(
        client, individual, user_type=UT.GROUP_LEARNER, reason="誤登録", confirmed="1"
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    individual.refresh_from_db()
    assert individual.user_type == UT.INDIVIDUAL


def test_a_domain_error_from_the_service_becomes_a_form_error(client, sato, reception, monkeypatch):
    def refuse(**kwargs):
        raise InvalidState("この変更はできません。")

    monkeypatch.setattr(user_views, "user_type_change", refuse)
    client.force_login(reception)
    response = change(client, sato, user_type=UT.INDIVIDUAL, reason="誤登録", confirmed="1")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["この変更はできません。"]
    assert "この変更はできません。" in response.content.decode()


def test_an_unknown_user_is_404(client, reception):
    client.force_login(reception)
    assert client.get("/staff/users/999999/").status_code == 404
