"""DomainError: translatable user-facing messages with stable codes."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kenshu.core.exceptions import Busy, Conflict, DomainError, InvalidState, NotPermitted

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")  # kana and kanji

DEFAULT_MESSAGES_EN = {
    DomainError: "This action is not allowed.",
    NotPermitted: "You are not allowed to do this.",
    InvalidState: "This cannot be done in the current state.",
    Conflict: "This conflicts with existing data.",
    Busy: "The system is busy. Nothing was changed; please try again.",
}


@pytest.mark.parametrize("error_class", list(DEFAULT_MESSAGES_EN))
def test_default_messages_are_japanese_by_default(error_class):
    text = str(error_class())
    assert JAPANESE.search(text), f"{error_class.__name__} is not translated: {text!r}"
    assert text != DEFAULT_MESSAGES_EN[error_class]


@pytest.mark.parametrize("error_class", list(DEFAULT_MESSAGES_EN))
def test_default_messages_are_english_under_the_english_language(error_class):
    with translation.override("en"):
        assert str(error_class()) == DEFAULT_MESSAGES_EN[error_class]


def test_the_message_is_translated_when_shown_not_when_raised():
    """An error raised while Japanese is active shows in English to an English reader."""
    error = Busy()
    with translation.override("en"):
        assert str(error) == DEFAULT_MESSAGES_EN[Busy]
    assert JAPANESE.search(str(error))


def test_params_are_interpolated_into_the_message():
    error = Conflict(_("Only %(seats)s seats are left in %(course)s."), seats=3, course="ILC1234")
    with translation.override("en"):
        assert str(error) == "Only 3 seats are left in ILC1234."
    assert error.params == {"seats": 3, "course": "ILC1234"}


def test_a_message_without_params_keeps_its_percent_signs():
    assert str(DomainError("100% of the fee is due.")) == "100% of the fee is due."


def test_a_plain_string_message_is_shown_as_is():
    error = InvalidState("この日程は中止されました。")
    assert str(error) == "この日程は中止されました。"
    assert error.message == "この日程は中止されました。"


@pytest.mark.parametrize(
    ("error_class", "code"),
    [
        (DomainError, "domain_error"),
        (NotPermitted, "not_permitted"),
        (InvalidState, "invalid_state"),
        (Conflict, "conflict"),
        (Busy, "busy"),
    ],
)
def test_each_error_has_a_stable_code_and_is_a_domain_error(error_class, code):
    error = error_class()
    assert error.code == code
    assert isinstance(error, DomainError)
    assert isinstance(error, Exception)


def test_a_code_given_at_raise_time_overrides_the_class_code_for_that_error_only():
    error = Conflict(_("The session is full."), code="session_full")
    assert error.code == "session_full"
    assert Conflict.code == "conflict"
    assert Conflict().code == "conflict"


def test_domain_errors_can_be_caught_as_a_family():
    with pytest.raises(DomainError) as caught:
        raise NotPermitted()
    assert caught.value.code == "not_permitted"
