"""/staff/emails/ (DOMAIN.md §8, §11): every outbox row with recipient, template, state,
attempts, last error and related object; filters; the rendered message (its HTML in a
sandboxed frame); resend as a new row, confirmed first and audited."""

import pytest
from django.contrib.contenttypes.models import ContentType

from kenshu.audit.models import AuditEntry
from kenshu.catalog.models import Session
from kenshu.notifications.models import EmailAttempt, OutboxEmail
from kenshu.notifications.services import email_queue

pytestmark = pytest.mark.django_db

URL = "/staff/emails/"


@pytest.fixture
def outbox(session):
    """A failed 'staff_message' about the session, a sent 'welcome', a queued one."""
    failed = email_queue(
        template="staff_message",
        to="kojin@example.jp",
        context={"subject": "ご案内", "body": "<script>alert(1)</script>本文です。"},
        related=session,
    )
    OutboxEmail.objects.filter(pk=failed.pk).update(
        state=OutboxEmail.State.FAILED, attempts=5, last_error="SMTPServerDisconnected: boom"
    )
    EmailAttempt.objects.create(email=failed, succeeded=False, error="SMTPServerDisconnected: boom")
    sent = OutboxEmail.objects.create(
        template="welcome", to_email="other@example.jp", state=OutboxEmail.State.SENT
    )
    queued = OutboxEmail.objects.create(template="welcome", to_email="third@example.jp")
    failed.refresh_from_db()
    return {"failed": failed, "sent": sent, "queued": queued}


def test_the_log_lists_every_row_with_its_state_attempts_error_and_object(
    client, reception, outbox, session
):
    client.force_login(reception)
    response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 3
    html = response.content.decode()
    for text in ["kojin@example.jp", "staff_message", "SMTPServerDisconnected: boom", "送信失敗"]:
        assert text in html, text
    assert f'href="/staff/sessions/{session.pk}/"' in html  # the related session


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "failed"}, ["failed"]),
        ({"template": "welcome"}, ["queued", "sent"]),
        ({"q": "OTHER@"}, ["sent"]),
        ({"state": "queued", "template": "welcome"}, ["queued"]),
    ],
)
def test_the_log_is_filtered_by_state_template_and_recipient(
    client, reception, outbox, params, expected
):
    client.force_login(reception)
    response = client.get(URL, params)
    shown = {e.pk for e in response.context["page"].object_list}
    assert shown == {outbox[name].pk for name in expected}


def test_the_template_filter_offers_the_installed_templates(client, reception):
    client.force_login(reception)
    choices = dict(client.get(URL).context["form"].fields["template"].choices)
    assert {"application_accepted", "session_confirmed", "staff_message"} <= set(choices)


def test_the_detail_shows_the_rendered_message_with_its_html_sandboxed(client, reception, outbox):
    client.force_login(reception)
    response = client.get(f"{URL}{outbox['failed'].pk}/")
    assert response.status_code == 200
    rendered = response.context["rendered"]
    assert "本文です。" in rendered["text"]
    html = response.content.decode()
    assert '<iframe class="mail-html" sandbox=""' in html
    assert "<script>alert(1)</script>" not in html  # escaped inside srcdoc, never live
    assert "SMTPServerDisconnected: boom" in html


def test_a_message_whose_template_is_missing_says_so(client, reception):
    email = OutboxEmail.objects.create(template="no_such_template", to_email="x@example.jp")
    client.force_login(reception)
    response = client.get(f"{URL}{email.pk}/")
    assert response.status_code == 200
    assert "TemplateDoesNotExist" in response.context["rendered"]["error"]


def test_resending_asks_for_a_confirmation_first(client, reception, outbox):
    client.force_login(reception)
    response = client.post(f"{URL}{outbox['failed'].pk}/resend/")
    assert response.status_code == 200
    assert 'name="confirmed" value="1"' in response.content.decode()
    assert OutboxEmail.objects.count() == 3


def test_a_confirmed_resend_queues_a_new_row_and_is_audited(
    client, reception, outbox, django_capture_on_commit_callbacks
):
    client.force_login(reception)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}{outbox['failed'].pk}/resend/", {"confirmed": "1"})
    copy = OutboxEmail.objects.get(resent_from=outbox["failed"])
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{copy.pk}/"
    assert copy.to_email == "kojin@example.jp"
    assert copy.template == "staff_message"
    assert copy.related_type == ContentType.objects.get_for_model(Session)
    entry = AuditEntry.objects.get(action="email.resent")
    assert entry.actor == reception and entry.data["new_email_id"] == copy.pk
    outbox["failed"].refresh_from_db()
    assert outbox["failed"].state == OutboxEmail.State.FAILED  # the old row is kept as is


def test_an_email_still_queued_is_not_resent(client, reception, outbox):
    client.force_login(reception)
    response = client.post(f"{URL}{outbox['queued'].pk}/resend/", {"confirmed": "1"})
    assert response.status_code == 302
    assert OutboxEmail.objects.count() == 3


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_log_costs_the_same_number_of_queries_for_10_and_1000_rows(
    client, reception, session, django_assert_num_queries, rows
):
    session_type = ContentType.objects.get_for_model(Session)
    OutboxEmail.objects.bulk_create(
        [
            OutboxEmail(
                template="session_confirmed",
                to_email=f"user{i}@example.jp",
                related_type=session_type,
                related_id=str(session.pk),
                state=OutboxEmail.State.FAILED if i % 3 else OutboxEmail.State.SENT,
                last_error="boom" if i % 3 else "",
            )
            for i in range(rows)
        ]
    )
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert response.context["page"].paginator.count == rows
