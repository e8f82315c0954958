"""Change password, /accounts/password/change/ (R-ACCT-5): the user is emailed that
the password changed."""

import pytest
from django.core import mail

from kenshu.core.testing import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

URL = "/accounts/password/change/"
NEW = "Momiji-Kaede-2026"


def test_the_page_is_in_japanese(client_of):
    html = client_of.get(URL).content.decode()
    assert "パスワードの変更" in html
    assert 'for="id_oldpassword"' in html and 'for="id_password1"' in html


def test_changing_the_password_emails_the_user(client_of, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of.post(
            URL, {"oldpassword": DEFAULT_PASSWORD, "password1": NEW, "password2": NEW}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["tanaka@example.jp"]
    assert message.subject == "【研修センター(デモ)】パスワード変更のお知らせ"
    assert "マイアカウントにて" in message.body
    assert "/accounts/password/reset/" in message.body  # what to do if it was not you


def test_a_wrong_current_password_is_refused(client_of):
    response = client_of.post(URL, {"oldpassword": "wrong", "password1": NEW, "password2": NEW})
    assert response.status_code == 200
    assert 'id="error-summary"' in response.content.decode()
    assert mail.outbox == []
