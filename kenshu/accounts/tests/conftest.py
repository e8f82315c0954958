"""Fixtures of the accounts tests.

allauth keeps its rate limits (login failures, password reissue, forgot user
ID) in the cache: every test starts with an empty one, so that no test is
locked out by the attempts of another.
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from kenshu.core.testing import UserFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def verified(user):
    """Give ``user`` the verified primary address allauth asks for at login
    (ACCOUNT_EMAIL_VERIFICATION = "mandatory")."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def make_verified_user(db):
    """``make_verified_user(**factory_kwargs)``: a user that can log in through allauth."""

    def make(**kwargs):
        return verified(UserFactory(**kwargs))

    return make
