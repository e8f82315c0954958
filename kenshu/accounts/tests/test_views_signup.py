"""Registration, /accounts/signup/ (R-ACCT-1): individual or corporate, with email
verification. Every bad input gets its message next to the field and in the
summary at the top, keeps what was typed (never the passwords), and saves nothing."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from kenshu.accounts.models import Organisation, User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import OrganisationFactory, UserFactory
from kenshu.notifications.models import OutboxEmail

from .conftest import SIGNUP as INDIVIDUAL
from .conftest import SIGNUP_PASSWORD as PASSWORD

pytestmark = pytest.mark.django_db

URL = "/accounts/signup/"
CORPORATE = {
    **INDIVIDUAL,
    "user_type": "corporate",
    "username": "hanako-corp",
    "company_name": "株式会社サンプル",
    "company_name_kana": "サンプル",
    "department": "人事部",
}


def sign_up(data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Client().post(URL, data)


def nothing_saved():
    return (
        not User.objects.exists()
        and not Organisation.objects.exists()
        and not EmailAddress.objects.exists()
        and not OutboxEmail.objects.exists()
        and not AuditEntry.objects.exists()
    )


# --- the page ---------------------------------------------------------------------------


def test_the_page_is_in_japanese_with_both_types_and_the_terms_link(client):
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "新規ユーザー登録" in html
    assert 'type="radio" class="form-check-input" name="user_type" value="individual"' in html
    assert ">個人</label>" in html and ">法人</label>" in html
    assert 'id="company-fields"' in html and "会社情報（法人の方のみ）" in html
    assert 'href="/terms/"' in html and "利用規約に同意します" in html
    assert "<legend" in html  # the type is a group of radios with a legend


def test_the_login_page_links_to_signup(client):
    assert 'href="/accounts/signup/"' in client.get("/accounts/login/").content.decode()


# --- success ------------------------------------------------------------------------------


def test_an_individual_registers_and_is_asked_to_confirm_the_address_r_acct_1(
    django_capture_on_commit_callbacks,
):
    response = sign_up(INDIVIDUAL, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="hanako")
    assert user.user_type == User.UserType.INDIVIDUAL
    assert user.organisation is None
    assert (user.last_name, user.first_name) == ("佐藤", "花子")
    assert (user.last_name_kana, user.first_name_kana) == ("サトウ", "ハナコ")
    assert not EmailAddress.objects.get(user=user).verified
    # The verification email, in Japanese, with its link.
    (message,) = mail.outbox
    assert message.to == ["hanako@example.jp"]
    assert "メールアドレス確認のお願い（ユーザー登録）" in message.subject
    assert re.search(r"/accounts/confirm-email/\S+/", message.body)
    assert "ユーザーID：hanako" in message.body
    assert AuditEntry.objects.filter(action="user.registered", target_id=str(user.pk)).exists()


def test_the_verification_page_tells_the_user_to_check_the_mail(
    django_capture_on_commit_callbacks,
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, INDIVIDUAL, follow=True)
    html = response.content.decode()
    assert "メールアドレス確認のためのメールをお送りしました" in html
    assert "迷惑メールフォルダ" in html
    assert "再度ログインしていただくと、確認メールを再送信します" in html


def test_a_corporate_user_is_attached_to_a_new_organisation_r_acct_1(
    django_capture_on_commit_callbacks,
):
    response = sign_up(CORPORATE, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get(username="hanako-corp")
    assert user.user_type == User.UserType.CORPORATE
    assert user.organisation.name == "株式会社サンプル"
    assert user.organisation.name_kana == "サンプル"
    assert user.department == "人事部"


def test_a_corporate_user_joins_the_existing_organisation_of_the_same_name_r_type_3(
    django_capture_on_commit_callbacks,
):
    existing = OrganisationFactory(name="株式会社　サンプル")
    sign_up({**CORPORATE, "company_name": "株式会社サンプル"}, django_capture_on_commit_callbacks)
    assert User.objects.get(username="hanako-corp").organisation == existing
    assert Organisation.objects.count() == 1


def test_without_a_user_id_the_email_becomes_the_user_id_r_acct_1(
    django_capture_on_commit_callbacks,
):
    sign_up({**INDIVIDUAL, "username": ""}, django_capture_on_commit_callbacks)
    assert User.objects.get(email="hanako@example.jp").username == "hanako@example.jp"


# --- bad input: a message each, nothing saved, what was typed kept -----------------------

BAD = {
    "duplicate_user_id": ("username", {}, "このユーザーIDはすでに使用されています。"),
    "malformed_email": (
        "email",
        {"email": "hanako@@example"},
        "有効なメールアドレスを入力してください。",
    ),
    "kana_with_latin_letters": (
        "last_name_kana",
        {"last_name_kana": "Sato"},
        "カナ（カタカナまたはひらがな）で入力してください。",
    ),
    "kana_with_kanji": (
        "first_name_kana",
        {"first_name_kana": "花子"},
        "カナ（カタカナまたはひらがな）で入力してください。",
    ),
    "over_long_name": (
        "last_name",
        {"last_name": "佐" * 151},
        "この値は 150 文字以下でなければなりません( 151 文字になっています)。",
    ),
    "terms_not_accepted": (
        "accept_terms",
        {"accept_terms": ""},
        "ご登録には利用規約への同意が必要です。",
    ),
    "corporate_without_company": (
        "company_name",
        {"user_type": "corporate", "company_name": "", "department": "人事部"},
        "法人でご登録の場合は、会社名を入力してください。",
    ),
    "corporate_without_department": (
        "department",
        {"user_type": "corporate", "company_name": "株式会社サンプル", "department": ""},
        "法人でご登録の場合は、部署名を入力してください。",
    ),
    "passwords_differ": (
        "password2",
        {"password2": PASSWORD + "x"},
        "同じパスワードを入力してください。",
    ),
    "missing_family_name": ("last_name", {"last_name": ""}, "この項目は必須です"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_refused_with_its_message_and_nothing_is_saved_r_acct_1(
    case, django_capture_on_commit_callbacks
):
    field, changes, message = BAD[case]
    if case == "duplicate_user_id":
        UserFactory(username="hanako", email="someone@example.jp")
        before = User.objects.count()
    data = {**INDIVIDUAL, **changes}

    response = sign_up(data, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in form.errors[field]
    html = response.content.decode()
    # Next to the field, and in the summary at the top linking to the field.
    assert f'id="id_{field}_error">{message}' in html or f'id="id_{field}_error">' in html
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in html.split('id="error-summary"', 1)[0].rsplit("<div", 1)[1]
    assert f'href="#id_{field}"' in summary and message in summary
    assert re.search(rf'aria-describedby="[^"]*id_{field}_error"', html)
    # Nothing saved (beyond the user created for the duplicate case), nothing mailed.
    if case == "duplicate_user_id":
        assert User.objects.count() == before
        assert not OutboxEmail.objects.exists()
    else:
        assert nothing_saved()
    assert mail.outbox == []
    # What was typed stays; the passwords do not.
    assert 'value="佐藤"' in html or case in {"over_long_name", "missing_family_name"}
    assert PASSWORD not in html


def test_the_chosen_type_and_company_are_kept_after_an_error(django_capture_on_commit_callbacks):
    response = sign_up({**CORPORATE, "last_name_kana": "Sato"}, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert re.search(r'value="corporate" id="id_user_type_1" checked', html)
    assert 'value="株式会社サンプル"' in html
    assert 'value="人事部"' in html


def test_the_page_is_in_english_when_english_is_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(URL).content.decode()
    assert "Create an account" in html
    assert "Company (corporate users only)" in html


def test_a_post_without_the_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post(URL, INDIVIDUAL)
    assert response.status_code == 403
    assert not User.objects.exists()
