"""The allauth adapter (kenshu.accounts.adapter): user IDs, user types, emails via the outbox.

- Every allauth email (verification, password reissue, password changed) is
  rendered at once and queued in the outbox as template ``rendered``, from the
  no-reply address (R-MAIL: recorded before it is sent, then sent once).
- An address with no account gets no email at all (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS=False).
- The user ID defaults to the email address (R-ACCT-1).
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory

from kenshu.accounts.adapter import AccountAdapter
from kenshu.accounts.models import User
from kenshu.core.testing import verified
from kenshu.notifications.models import OutboxEmail

from .conftest import SIGNUP as HANAKO_SIGNUP

pytestmark = pytest.mark.django_db

RESET_URL = "/accounts/password/reset/"
RESET_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/password/reset/key/[^\s\"'<>]+")


def request_reset(client: Client, email: str, captcha: str = "PASSED"):
    return client.post(RESET_URL, {"email": email, "captcha_0": "any", "captcha_1": captcha})


# --- allauth emails go through the outbox -----------------------------------------


def test_a_password_reissue_email_is_queued_in_the_outbox_and_sent_from_no_reply_r_acct_4(
    tanaka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(Client(), "tanaka@example.jp")

    assert response.status_code == 302
    row = OutboxEmail.objects.get()
    assert row.template == "rendered"
    assert row.to_email == "tanaka@example.jp"
    assert row.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert row.context["source"] == "password_reset_key"
    assert row.related == tanaka
    assert row.state == OutboxEmail.State.SENT

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["tanaka@example.jp"]
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert message.subject == row.subject and message.subject
    assert RESET_LINK.search(message.body), message.body
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert RESET_LINK.search(html), html


def test_the_reset_link_in_the_email_opens_the_set_password_form(
    tanaka, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, "tanaka@example.jp")
    link = RESET_LINK.search(mail.outbox[0].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)

    response = client.get(path, follow=True)

    assert response.status_code == 200
    assert "password1" in response.context["form"].fields


def test_the_address_is_matched_whatever_its_case(tanaka, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), "Tanaka@Example.JP")
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_no_email_at_all_and_the_same_answer(
    tanaka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as known_callbacks:
        known = request_reset(Client(), "tanaka@example.jp")
    mail.outbox.clear()
    OutboxEmail.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unknown = request_reset(Client(), "nobody@example.jp")

    assert known_callbacks  # the known address did queue something
    assert callbacks == []
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]


def test_a_wrong_captcha_sends_nothing(tanaka, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(Client(), "tanaka@example.jp", captcha="WRONG")
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_an_inactive_account_gets_no_reset_email(
    make_verified_user, django_capture_on_commit_callbacks
):
    make_verified_user(username="gone01", email="gone@example.jp", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), "gone@example.jp")
    assert OutboxEmail.objects.count() == 0
    assert mail.outbox == []


def test_the_outbox_row_holds_the_rendered_message_so_staff_can_resend_it(
    tanaka, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(Client(), "tanaka@example.jp")
    row = OutboxEmail.objects.get()
    assert RESET_LINK.search(row.context["text"])
    assert row.context["subject"]
    assert row.language == "ja"


# --- user IDs and user types at signup ------------------------------------------------


def test_populate_username_uses_the_email_when_no_user_id_was_chosen_r_acct_1():
    request = RequestFactory().get("/accounts/signup/")
    user = User(email="hanako@example.jp", username="")
    AccountAdapter(request).populate_username(request, user)
    assert user.username == "hanako@example.jp"


def test_populate_username_keeps_a_chosen_user_id():
    request = RequestFactory().get("/accounts/signup/")
    user = User(email="hanako@example.jp", username="hanako")
    AccountAdapter(request).populate_username(request, user)
    assert user.username == "hanako"


SIGNUP = {**HANAKO_SIGNUP, "username": ""}  # the user ID left empty


def test_signup_without_a_user_id_makes_the_email_the_user_id_r_acct_1(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="hanako@example.jp")
    assert user.username == "hanako@example.jp"
    # save_user copied what allauth does not know about.
    assert user.user_type == User.UserType.INDIVIDUAL
    assert (user.last_name_kana, user.first_name_kana) == ("サトウ", "ハナコ")
    assert user.language == "ja"
    # The verification email went through the outbox too.
    row = OutboxEmail.objects.get(to_email="hanako@example.jp")
    assert row.template == "rendered"
    assert row.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert row.context["source"].startswith("email_confirmation")
    assert [m.to for m in mail.outbox] == [["hanako@example.jp"]]


def test_signup_with_a_chosen_user_id_keeps_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/signup/", {**SIGNUP, "username": "hanako"})
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get(email="hanako@example.jp").username == "hanako"


def test_a_second_account_on_the_same_email_is_allowed_with_another_user_id_r_acct_1(
    django_capture_on_commit_callbacks,
):
    verified(
        User.objects.create_user(
            username="hanako@example.jp", email="hanako@example.jp", password="x-Secret-1234"
        )
    )
    data = {
        **SIGNUP,
        "username": "hanako-corp",
        "user_type": "corporate",
        "company_name": "株式会社サンプル",
        "department": "人事部",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/signup/", data)
    assert response.status_code == 302, response.context["form"].errors
    corporate = User.objects.get(username="hanako-corp")
    assert corporate.user_type == User.UserType.CORPORATE
    assert corporate.department == "人事部"
    assert corporate.organisation.name == "株式会社サンプル"
    assert User.objects.filter(email="hanako@example.jp").count() == 2
