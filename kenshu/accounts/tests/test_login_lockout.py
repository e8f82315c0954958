"""Login by user ID and the lock after repeated failures (R-ACCT-2).

The lock is allauth's ``login_failed`` rate limit (settings.ACCOUNT_RATE_LIMITS:
``10/m/ip,5/15m/key``, the key being the user ID typed). allauth counts every
attempt before checking the password (``pre_authenticate``) and gives a
successful attempt back; so after 5 failures for one user ID the 6th attempt
is refused before the password is even looked at, whether or not that user ID
exists, for 15 minutes. Each test uses its own client IP where it makes more
than a few attempts, so that the per-IP part (10 a minute) stays out of the way.
"""

import re
import time
from types import SimpleNamespace

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.test import Client

from kenshu.core.testing import DEFAULT_PASSWORD

LOGIN_URL = "/accounts/login/"
LOCK_AFTER = 5  # failures per user ID within 15 minutes

pytestmark = pytest.mark.django_db


def client_from(ip: str) -> Client:
    return Client(REMOTE_ADDR=ip)


def post_login(client: Client, login: str, password: str):
    return client.post(LOGIN_URL, {"login": login, "password": password})


def fail(client: Client, login: str, times: int = LOCK_AFTER) -> None:
    for _ in range(times):
        response = post_login(client, login, "not-the-password")
        assert response.status_code == 200
        assert not response.wsgi_request.user.is_authenticated


def errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


def lock_message() -> str:
    return str(get_adapter().error_messages["too_many_login_attempts"])


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def page_without(response, *typed: str) -> str:
    """The page with what differs by design taken out: the CSRF token and what the user typed."""
    html = response.content.decode()
    html = re.sub(r'value="[A-Za-z0-9]{32,}"', 'value="CSRF"', html)
    html = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]+"', '"X-CSRFToken": "CSRF"', html)
    for text in typed:
        html = html.replace(text, "TYPED")
    return html


def test_login_is_by_user_id_and_password_r_acct_2(tanaka):
    client = client_from("192.0.2.1")
    response = post_login(client, "tanaka01", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(tanaka.pk)


def test_login_by_email_address_is_refused_when_it_is_not_the_user_id_r_acct_2(tanaka):
    client = client_from("192.0.2.2")
    response = post_login(client, "tanaka@example.jp", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert errors(response)
    assert not logged_in(client)


def test_after_five_failures_even_the_right_password_is_refused_and_the_page_says_so_r_acct_2(
    tanaka,
):
    client = client_from("192.0.2.3")
    fail(client, "tanaka01", LOCK_AFTER)

    response = post_login(client, "tanaka01", DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert not logged_in(client)
    assert errors(response) == [lock_message()]
    # Said on the page, in Japanese: too many failures, try again later.
    assert lock_message() == "ログイン失敗が連続しています。時間が経ってからやり直してください。"
    assert lock_message() in response.content.decode()


def test_four_failures_do_not_lock_the_user_id(tanaka):
    client = client_from("192.0.2.4")
    fail(client, "tanaka01", LOCK_AFTER - 1)
    assert post_login(client, "tanaka01", DEFAULT_PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_lock_is_per_user_id_whatever_the_case_typed(tanaka):
    client = client_from("192.0.2.5")
    fail(client, "TANAKA01", LOCK_AFTER)
    response = post_login(client, "tanaka01", DEFAULT_PASSWORD)
    assert errors(response) == [lock_message()]


def test_a_wrong_password_and_an_unknown_user_id_get_the_same_answer(tanaka):
    known = post_login(client_from("192.0.2.6"), "tanaka01", "not-the-password")
    unknown = post_login(client_from("192.0.2.7"), "nobody99", "not-the-password")
    assert known.status_code == unknown.status_code == 200
    assert errors(known) == errors(unknown) != []
    assert page_without(known, "tanaka01") == page_without(unknown, "nobody99")


def test_an_unknown_user_id_is_locked_the_same_way_so_the_lock_reveals_nothing_r_acct_2(tanaka):
    known_client, unknown_client = client_from("192.0.2.8"), client_from("192.0.2.9")
    fail(known_client, "tanaka01", LOCK_AFTER)
    fail(unknown_client, "nobody99", LOCK_AFTER)

    known = post_login(known_client, "tanaka01", DEFAULT_PASSWORD)
    unknown = post_login(unknown_client, "nobody99", DEFAULT_PASSWORD)

    assert known.status_code == unknown.status_code
    assert errors(known) == errors(unknown) == [lock_message()]
    assert page_without(known, "tanaka01") == page_without(unknown, "nobody99")


def test_a_fresh_user_id_is_not_affected_by_another_ones_lock(tanaka, make_verified_user):
    suzuki = make_verified_user(username="suzuki02", email="suzuki@example.jp")
    client = client_from("192.0.2.10")
    fail(client, "tanaka01", LOCK_AFTER)
    assert errors(post_login(client, "tanaka01", DEFAULT_PASSWORD)) == [lock_message()]

    # Same browser, same IP, another user ID: logs in.
    response = post_login(client, "suzuki02", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(suzuki.pk)


def test_the_lock_lifts_after_fifteen_minutes_r_acct_2(tanaka, monkeypatch):
    client = client_from("192.0.2.11")
    fail(client, "tanaka01", LOCK_AFTER)
    assert errors(post_login(client, "tanaka01", DEFAULT_PASSWORD)) == [lock_message()]

    later = time.time() + 15 * 60 + 1
    fake_time = SimpleNamespace(time=lambda: later, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(ratelimit, "time", fake_time)

    response = post_login(client, "tanaka01", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_the_lock_still_holds_fourteen_minutes_later(tanaka, monkeypatch):
    client = client_from("192.0.2.12")
    fail(client, "tanaka01", LOCK_AFTER)

    later = time.time() + 14 * 60
    fake_time = SimpleNamespace(time=lambda: later, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(ratelimit, "time", fake_time)

    assert errors(post_login(client, "tanaka01", DEFAULT_PASSWORD)) == [lock_message()]
