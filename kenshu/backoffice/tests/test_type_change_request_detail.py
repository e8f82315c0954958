"""/staff/requests/type-change/<pk>/ (R-TYPE-4): staff see a request and approve or
reject it; the customer is emailed either way; every change is audited."""

import pytest
from django.conf import settings
from django.core import mail

from kenshu.accounts.models import User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import make_type_change_request
from kenshu.notifications.models import OutboxEmail
from kenshu.requests.models import RequestState, TypeChangeRequest
from kenshu.requests.services import type_change_request_decide

pytestmark = pytest.mark.django_db

UT = User.UserType


@pytest.fixture
def open_request(sato):
    return make_type_change_request(sato, message="研修担当になりました。")


def url(request) -> str:
    return f"/staff/requests/type-change/{request.pk}/"


def actions() -> list[str]:
    return sorted(AuditEntry.objects.values_list("action", flat=True))


def test_the_whole_flow_corporate_user_asks_reception_approves_r_type_4(
    client, sato, reception, django_capture_on_commit_callbacks
):
    # The customer asks on the web.
    client.force_login(sato)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/requests/type-change/",
            {"company_name": "株式会社サンプル", "full_name": "佐藤 花子", "message": "よろしく"},
        )
    assert response.status_code == 302
    request = TypeChangeRequest.objects.get(state=RequestState.OPEN)
    assert len(mail.outbox) == 2
    assert actions() == ["request.type_change.created"]
    mail.outbox.clear()

    # Reception opens it from the queue and approves it.
    client.force_login(reception)
    page = client.get(url(request))
    assert page.status_code == 200
    assert 'name="decision"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(request), {"decision": "approve", "reason": ""})

    assert response.status_code == 302
    assert response["Location"] == "/staff/requests/type-change/"
    sato.refresh_from_db()
    assert sato.user_type == UT.GROUP_APPLICANT
    request.refresh_from_db()
    assert request.state == RequestState.DONE
    assert request.decided_by == reception
    assert actions() == [
        "request.type_change.approved",
        "request.type_change.created",
        "user.type_changed",
    ]
    assert AuditEntry.objects.get(action="user.type_changed").actor == reception

    decision = next(m for m in mail.outbox if "承認" in m.subject)
    assert decision.to == ["sato@example.jp"]
    assert f"受付番号 {request.pk}" in decision.subject
    assert all(m.to == ["sato@example.jp"] for m in mail.outbox)
    assert OutboxEmail.objects.get(template="request_decided").state == OutboxEmail.State.SENT

    # Post/redirect/get: the queue shows the outcome.
    queue = client.get(response["Location"])
    assert f"受付番号 {request.pk} を承認しました" in queue.content.decode()


def test_rejecting_without_a_reason_is_a_form_error_and_changes_nothing(
    client, sato, open_request, reception, django_capture_on_commit_callbacks
):
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(open_request), {"decision": "reject", "reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["却下の理由を入力してください。"]
    html = response.content.decode()
    assert 'id="error-summary"' in html
    open_request.refresh_from_db()
    assert open_request.state == RequestState.OPEN
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert actions() == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_rejecting_with_a_reason_emails_the_reason_to_the_customer(
    client, sato, open_request, reception, django_capture_on_commit_callbacks
):
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(open_request),
            {"decision": "reject", "reason": "ご所属の確認が取れませんでした。"},
        )

    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.state == RequestState.REJECTED
    assert open_request.decision_reason == "ご所属の確認が取れませんでした。"
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert actions() == ["request.type_change.rejected"]
    (message,) = mail.outbox
    assert message.to == ["sato@example.jp"]
    assert "ご所属の確認が取れませんでした。" in message.body
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL


def test_the_page_shows_the_request_and_the_account_as_it_is_now(client, open_request, reception):
    client.force_login(reception)
    html = client.get(url(open_request)).content.decode()
    for expected in [
        f"種別変更依頼 No. {open_request.pk}",
        "sato-corp",
        "株式会社サンプル",
        "佐藤 花子",
        "研修担当になりました。",
        "2026年5月11日",
        "法人グループ申込者",  # the requested type
        "法人",  # the current type
        "受付中",
        f'href="/staff/users/{open_request.user_id}/"',
    ]:
        assert expected in html, expected


def test_a_decided_request_shows_its_decision_and_no_form(client, open_request, reception):
    type_change_request_decide(
        actor=reception, request=open_request, approve=False, reason="確認が取れませんでした"
    )
    client.force_login(reception)
    response = client.get(url(open_request))
    assert response.context["form"] is None
    html = response.content.decode()
    assert 'name="decision"' not in html
    assert "却下" in html and "確認が取れませんでした" in html
    assert "受付 花子" in html  # decided by


def test_deciding_an_already_decided_request_is_a_form_error_and_changes_nothing(
    client, sato, open_request, reception, django_capture_on_commit_callbacks
):
    type_change_request_decide(actor=reception, request=open_request, approve=False, reason="却下")
    entries = AuditEntry.objects.count()
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(open_request), {"decision": "approve"}, follow=True)
    assert response.redirect_chain == [(url(open_request), 302)]
    assert response.context["item"].state == RequestState.REJECTED
    assert response.context["form"] is None
    assert "このご依頼はすでに対応済みです。" in response.content.decode()
    sato.refresh_from_db()
    assert sato.user_type == UT.CORPORATE
    assert AuditEntry.objects.count() == entries


def test_an_unknown_request_is_404(client, reception):
    client.force_login(reception)
    assert client.get("/staff/requests/type-change/999999/").status_code == 404


def test_an_administrator_may_decide_too(client, sato, open_request, administrator):
    client.force_login(administrator)
    response = client.post(url(open_request), {"decision": "approve"})
    assert response.status_code == 302
    sato.refresh_from_db()
    assert sato.user_type == UT.GROUP_APPLICANT
