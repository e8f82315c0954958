"""Forgot user ID, /accounts/forgot-user-id/ (R-ACCT-3).

The page always does the same thing with a valid form: it queues the task
``remind_user_ids`` and redirects to the same "check your email" page. The task
looks the address up and emails every user ID registered to it, only if it is
known. So the answer (status, body) and the work done by the request do not tell
whether an address is registered. Throttled per IP and per address
(ACCOUNT_RATE_LIMITS["forgot_user_id"] = "10/h/ip,3/h/key").
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tasks import default_task_backend

from kenshu.accounts.tasks import remind_user_ids
from kenshu.core.testing import UserFactory
from kenshu.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

URL = "/accounts/forgot-user-id/"
DONE_URL = "/accounts/forgot-user-id/done/"
DUMMY_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}
}
TOO_MANY = "お問い合わせの回数が多すぎます"


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are recorded, not run: what the request queued can be inspected."""
    settings.TASKS = DUMMY_TASKS
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


@pytest.fixture
def suzuki(db):
    """One person, three accounts on one address (in two spellings), one of them closed."""
    individual = UserFactory(username="suzuki", email="suzuki@example.jp")
    corporate = UserFactory(username="suzuki-corp", email="Suzuki@Example.JP", corporate=True)
    UserFactory(username="suzuki-old", email="suzuki@example.jp", is_active=False)
    UserFactory(username="someone-else", email="other@example.jp")
    return individual, corporate


def ask(client: Client, email: str, captcha: str = "PASSED"):
    return client.post(URL, {"email": email, "captcha_0": "key", "captcha_1": captcha})


def normalised(response) -> str:
    """The page with what differs between any two requests taken out: the CSRF token
    and the CAPTCHA key (hidden input and image URL)."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "CSRF"', html)
    html = re.sub(r"/captcha/image/[0-9a-f]+/", "/captcha/image/KEY/", html)
    html = re.sub(r'(name="captcha_0"[^>]*value=")[0-9a-f]+"', r'\1KEY"', html)
    html = re.sub(r'value="[0-9a-f]{40}"', 'value="KEY"', html)
    return html


def queued(backend) -> list[tuple]:
    return [(r.task.module_path, tuple(r.args)) for r in backend.results]


# --- the page --------------------------------------------------------------------


def test_the_page_asks_for_an_email_and_a_captcha_in_japanese(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "ユーザーIDが分からない場合" in html
    assert 'for="id_email"' in html and "メールアドレス" in html
    assert 'for="id_captcha_1"' in html and "画像に表示されている文字" in html
    assert 'src="/captcha/image/' in html
    # "Show another image" works without JavaScript: it reloads the page.
    assert 'href="" data-captcha-refresh' in html
    assert "別の画像を表示" in html


def test_the_login_page_links_here(client):
    html = client.get("/accounts/login/").content.decode()
    assert f'<a href="{URL}">ユーザーIDが分からない場合</a>' in html


# --- same answer, same work, known or not ----------------------------------------


def test_known_and_unknown_addresses_get_the_same_status_and_body_r_acct_3(suzuki, dummy_tasks):
    known = ask(Client(REMOTE_ADDR="192.0.2.1"), "suzuki@example.jp")
    unknown = ask(Client(REMOTE_ADDR="192.0.2.2"), "nobody@example.jp")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == DONE_URL
    assert known.content == unknown.content

    known_page = Client().get(known["Location"])
    unknown_page = Client().get(unknown["Location"])
    assert known_page.status_code == unknown_page.status_code == 200
    assert normalised(known_page) == normalised(unknown_page)


def test_one_task_is_queued_whether_or_not_the_address_is_known_r_acct_3(suzuki, dummy_tasks):
    ask(Client(REMOTE_ADDR="192.0.2.3"), "suzuki@example.jp")
    ask(Client(REMOTE_ADDR="192.0.2.4"), "nobody@example.jp")

    assert queued(dummy_tasks) == [
        (remind_user_ids.module_path, ("suzuki@example.jp", "ja")),
        (remind_user_ids.module_path, ("nobody@example.jp", "ja")),
    ]
    # The lookup is the task's: the request queued no email for either address.
    assert OutboxEmail.objects.count() == 0


def test_the_done_page_names_the_sender_and_says_to_register_if_nothing_arrives(client):
    html = client.get(DONE_URL).content.decode()
    assert settings.KENSHU_NOREPLY_EMAIL in html
    assert "登録されている場合" in html
    assert "新規にユーザー登録" in html
    assert 'href="/accounts/signup/"' in html


def test_the_same_address_with_a_wrong_captcha_and_an_unknown_one_look_alike(suzuki, dummy_tasks):
    known = ask(Client(REMOTE_ADDR="192.0.2.5"), "suzuki@example.jp", captcha="WRONG")
    unknown = ask(Client(REMOTE_ADDR="192.0.2.6"), "nobody@example.jp", captcha="WRONG")
    assert known.status_code == unknown.status_code == 200
    assert normalised(known).replace("suzuki@example.jp", "X") == normalised(unknown).replace(
        "nobody@example.jp", "X"
    )


# --- the email (task run at once, as in the test settings) ------------------------


def test_a_known_address_gets_one_email_listing_every_user_id_from_no_reply_r_acct_3(
    suzuki, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(Client(), "SUZUKI@example.jp")

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["SUZUKI@example.jp"]
    assert message.from_email == settings.KENSHU_NOREPLY_EMAIL
    assert "ユーザーID" in message.subject
    assert "suzuki\n" in message.body.replace("  - ", "")
    for user_id in ("suzuki", "suzuki-corp"):
        assert f"- {user_id}\n" in message.body
    assert "suzuki-old" not in message.body  # a closed account is not listed
    assert "someone-else" not in message.body
    assert "/accounts/login/" in message.body
    assert "/accounts/password/reset/" in message.body
    assert "お心当たりがない場合" in message.body
    html = dict((mimetype, body) for body, mimetype in message.alternatives)["text/html"]
    assert "<li" in html and "suzuki-corp" in html
    assert OutboxEmail.objects.get().template == "forgot_user_id"


def test_an_unknown_address_gets_no_email_at_all_r_acct_3(
    suzuki, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(Client(), "nobody@example.jp")
    assert response.status_code == 302
    assert mail.outbox == []
    assert OutboxEmail.objects.count() == 0


def test_the_email_is_in_english_for_a_visitor_who_chose_english(
    suzuki, django_capture_on_commit_callbacks
):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "suzuki@example.jp")
    message = mail.outbox[0]
    assert "Your user ID" in message.subject
    assert "The following 2 user IDs are registered" in message.body


# --- bad input ------------------------------------------------------------------------


def test_a_wrong_captcha_is_an_error_and_nothing_is_queued(suzuki, dummy_tasks):
    response = ask(Client(), "suzuki@example.jp", captcha="WRONG")
    html = response.content.decode()
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert "画像の文字と一致しません" in html
    assert 'role="alert"' in html and 'href="#id_captcha_1"' in html  # the error summary
    assert 'value="suzuki@example.jp"' in html  # what was typed stays
    assert dummy_tasks.results == []


def test_a_malformed_address_is_an_error_and_nothing_is_queued(dummy_tasks):
    response = ask(Client(), "not-an-address")
    assert response.status_code == 200
    assert "有効なメールアドレスを入力してください。" in response.content.decode()
    assert dummy_tasks.results == []


# --- throttles ------------------------------------------------------------------------


def test_the_fourth_request_for_one_address_within_an_hour_is_refused_with_429(dummy_tasks):
    for n in range(3):
        assert ask(Client(REMOTE_ADDR=f"198.51.100.{n}"), "tanaka@example.jp").status_code == 302

    response = ask(Client(REMOTE_ADDR="198.51.100.9"), "Tanaka@Example.jp")

    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert len(dummy_tasks.results) == 3
    # Another address is not affected.
    assert ask(Client(REMOTE_ADDR="198.51.100.9"), "sato@example.jp").status_code == 302


def test_the_eleventh_request_from_one_ip_within_an_hour_is_refused_with_429(dummy_tasks):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(10):
        assert ask(client, f"person{n}@example.jp").status_code == 302

    response = ask(client, "person99@example.jp")

    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    assert len(dummy_tasks.results) == 10
    assert ask(Client(REMOTE_ADDR="203.0.113.8"), "person99@example.jp").status_code == 302


def test_a_wrong_captcha_does_not_use_up_the_allowance(dummy_tasks):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(5):
        ask(client, "kato@example.jp", captcha="WRONG")
    assert ask(client, "kato@example.jp").status_code == 302


# --- CSRF -------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(dummy_tasks):
    response = Client(enforce_csrf_checks=True).post(
        URL, {"email": "suzuki@example.jp", "captcha_0": "key", "captcha_1": "PASSED"}
    )
    assert response.status_code == 403
    assert dummy_tasks.results == []
