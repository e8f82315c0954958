"""SignupForm: the user ID defaults to the email address (R-ACCT-1)."""

import pytest

from kenshu.accounts.forms import SignupForm
from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.django_db

BASE = {
    "user_type": "individual",
    "last_name": "山田",
    "first_name": "太郎",
    "last_name_kana": "ヤマダ",
    "first_name_kana": "タロウ",
    "password1": "a-Long-enough-pass-2026",
    "password2": "a-Long-enough-pass-2026",
    "accept_terms": "on",
}


def test_an_empty_user_id_becomes_the_email_address():
    form = SignupForm(data={**BASE, "email": "taro@example.jp", "username": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["username"] == "taro@example.jp"


def test_an_email_already_used_as_a_user_id_asks_for_another_user_id():
    UserFactory(username="taro@example.jp")
    form = SignupForm(data={**BASE, "email": "taro@example.jp", "username": ""})
    assert not form.is_valid()
    assert "すでにユーザーIDとして使用されています" in form.errors["username"][0]


def test_an_email_that_is_not_a_valid_user_id_says_why_not_that_it_is_taken():
    form = SignupForm(data={**BASE, "email": "o'brien@example.jp", "username": ""})
    assert not form.is_valid()
    message = form.errors["username"][0]
    assert "使用されています" not in message
    assert "ユーザーIDとして使用できません" in message


def test_kana_fields_refuse_kanji():
    form = SignupForm(
        data={**BASE, "email": "k@example.jp", "username": "", "last_name_kana": "山田"}
    )
    assert not form.is_valid()
    assert "last_name_kana" in form.errors
