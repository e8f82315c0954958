"""email_render: the template trio in the recipient's language (R-MAIL).

Emails are in Japanese by default, English for users who chose English;
plain text with an HTML alternative; from the no-reply address.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_render

from .helpers import expected_subject, queue_staff_message

pytestmark = pytest.mark.django_db

#: The send-only note every plain text body ends with (このメールは送信専用です).
SEND_ONLY_NOTE = "This email was sent from a send-only address. Replies to it are not read."


def translated(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def send_one(capture, **kwargs):
    with capture(execute=True):
        email = queue_staff_message(**kwargs)
    [message] = mail.outbox
    return email, message


def test_email_is_sent_in_japanese_by_default(django_capture_on_commit_callbacks):
    """R-MAIL: Japanese unless the recipient chose English.

    Needs the compiled catalogue (``make install`` runs compile_translations).
    """
    context = {"subject": "会場変更", "body": "会場が変わりました。", "recipient_name": "山田 花子"}
    with translation.override("en"):  # the language of whoever caused it does not matter
        email, message = send_one(django_capture_on_commit_callbacks, context=context)

    assert email.language == "ja"
    assert message.extra_headers["Content-Language"] == "ja"
    assert message.subject == expected_subject("会場変更", "ja")
    assert message.body.startswith("山田 花子 様\n\n会場が変わりました。\n")
    assert "送信専用" in message.body  # このメールは送信専用です
    assert message.body.rstrip().endswith(translated("ja", SEND_ONLY_NOTE))
    assert SEND_ONLY_NOTE not in message.body
    html, _mimetype = message.alternatives[0]
    assert '<html lang="ja">' in html
    assert "山田 花子 様" in html
    assert "送信専用" in html


def test_email_is_sent_in_english_to_a_recipient_who_chose_english(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: English for users who chose English, whatever language is active."""
    email, message = send_one(
        django_capture_on_commit_callbacks,
        language="en",
        context={
            "subject": "Venue change",
            "body": "The venue has changed.",
            "recipient_name": "Ann",
        },
    )

    assert email.language == "en"
    assert message.extra_headers["Content-Language"] == "en"
    html, _mimetype = message.alternatives[0]
    assert '<html lang="en">' in html
    assert message.subject == expected_subject("Venue change", "en")
    assert message.subject.startswith("[")
    assert message.body.startswith("Dear Ann,\n\nThe venue has changed.\n")
    assert message.body.rstrip().endswith(SEND_ONLY_NOTE)
    assert SEND_ONLY_NOTE in html


@pytest.mark.parametrize(
    ("asked", "stored"), [("en-us", "en"), ("EN", "en"), ("fr", "ja"), ("", "ja")]
)
def test_email_language_is_one_the_site_supports(asked, stored):
    """R-MAIL: a regional or unknown language code falls back to a supported one."""
    assert queue_staff_message(language=asked).language == stored


def test_email_has_a_text_body_and_an_html_alternative_from_the_noreply_address(
    django_capture_on_commit_callbacks,
):
    """R-MAIL: plain text with an HTML alternative; the sender is the no-reply address."""
    email, message = send_one(django_capture_on_commit_callbacks)

    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert email.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert message.content_subtype == "plain"
    assert "<" not in message.body
    assert "次回の研修会場が変わりました。\n詳しくはマイページをご覧ください。" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "次回の研修会場が変わりました。<br>詳しくはマイページをご覧ください。" in html
    assert settings.KENSHU_PROVIDER_NAME in html
    assert "<img" not in html  # no external images
    assert message.subject == expected_subject("研修会場の変更について")
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    # The whole MIME message builds (headers encode, parts attach).
    mime = message.message()
    assert mime.is_multipart()
    assert [part.get_content_type() for part in mime.get_payload()] == [
        "text/plain",
        "text/html",
    ]


def test_text_body_ends_with_the_provider_signature_and_the_send_only_note():
    """R-MAIL: the signature names the provider and says the address is send-only."""
    message = email_render(queue_staff_message())

    last_lines = message.body.rstrip().splitlines()[-4:]
    assert last_lines == [
        "--",
        settings.KENSHU_PROVIDER_NAME,
        f"{settings.KENSHU_SITE_URL.rstrip('/')}/",
        translated("ja", SEND_ONLY_NOTE),
    ]


def test_plain_text_parts_are_not_html_escaped_but_the_html_part_is():
    """R-MAIL: what staff typed arrives as typed, in both parts."""
    email = queue_staff_message(
        context={
            "subject": 'Q&A <会場> "変更"',
            "body": "A & B <script>alert('x')</script>",
            "recipient_name": "O'Brien",
        },
    )
    message = email_render(email)

    assert message.subject == expected_subject('Q&A <会場> "変更"')
    assert "&amp;" not in message.subject
    assert "A & B <script>alert('x')</script>" in message.body
    assert "O'Brien 様" in message.body
    html, _mimetype = message.alternatives[0]
    assert "<script>" not in html
    assert "A &amp; B &lt;script&gt;" in html
    assert "O&#x27;Brien" in html


def test_message_is_marked_with_its_outbox_row():
    """R-MAIL: every message can be traced back to its row."""
    email = queue_staff_message()
    message = email_render(email)
    assert message.extra_headers["X-Kenshu-Outbox-Id"] == str(email.pk)
    assert message.to == [email.to_email]


def test_greeting_is_left_out_without_a_recipient_name():
    message = email_render(queue_staff_message(language="en"))
    assert message.body.startswith("次回の研修会場が変わりました。")
    assert "Dear" not in message.body


def test_blank_lines_left_by_template_tags_are_collapsed():
    email = OutboxEmail(
        pk=1,
        template="staff_message",
        to_email="a@example.jp",
        from_email=settings.KENSHU_NOREPLY_EMAIL,
        language="en",
        context={"subject": "s", "body": "one\n\n\n\n\ntwo   \n"},
    )
    body = email_render(email).body
    assert body.startswith("one\n\ntwo\n\n--\n")
    assert not body.startswith("\n")
