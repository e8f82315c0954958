"""Fixtures of the accounts tests.

allauth keeps its rate limits (login failures, password reissue, forgot user
ID) in the cache: every test starts with an empty one, so that no test is
locked out by the attempts of another.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from kenshu.core.testing import UserFactory, verified

#: The password of the registrations below (long and strong enough for the validators).
SIGNUP_PASSWORD = "Sakura-Hanabi-2025"

#: The registration form as 佐藤 花子 fills it in: an individual, user ID "hanako".
SIGNUP = {
    "user_type": "individual",
    "last_name": "佐藤",
    "first_name": "花子",
    "last_name_kana": "サトウ",
    "first_name_kana": "ハナコ",
    "email": "hanako@example.jp",
    "username": "hanako",
    "password1": SIGNUP_PASSWORD,
    "password2": SIGNUP_PASSWORD,
    "accept_terms": "on",
}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_verified_user(db):
    """``make_verified_user(**factory_kwargs)``: a user that can log in through allauth."""

    def make(**kwargs):
        return verified(UserFactory(**kwargs))

    return make


@pytest.fixture
def tanaka(make_verified_user):
    """An individual, user ID ``tanaka01``, ``tanaka@example.jp`` (verified)."""
    return make_verified_user(username="tanaka01", email="tanaka@example.jp")


@pytest.fixture
def client_of(tanaka):
    """A client logged in as ``tanaka``."""
    client = Client()
    client.force_login(tanaka)
    return client
