"""Edit profile, /account/profile/ (R-ACCT-5): name, kana and department, through the
service ``user_profile_update`` (audited); post/redirect/get; bad input saves nothing."""

import pytest
from django.test import Client

from kenshu.audit.models import AuditEntry
from kenshu.core.testing import UserFactory

pytestmark = pytest.mark.django_db

URL = "/account/profile/"
VALID = {
    "last_name": "高橋",
    "first_name": "花子",
    "last_name_kana": "たかはし",
    "first_name_kana": "ﾊﾅｺ",
    "department": "人材開発部",
}


@pytest.fixture
def hanako(db):
    return UserFactory(
        username="hanako",
        last_name="佐藤",
        first_name="花子",
        last_name_kana="サトウ",
        first_name_kana="ハナコ",
        corporate=True,
        department="人事部",
    )


@pytest.fixture
def client_of(hanako):
    client = Client()
    client.force_login(hanako)
    return client


def test_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_form_is_filled_with_the_current_profile(client_of):
    html = client_of.get(URL).content.decode()
    assert "登録情報の変更" in html
    for value in ("佐藤", "花子", "サトウ", "ハナコ", "人事部"):
        assert f'value="{value}"' in html


def test_saving_changes_the_profile_audits_it_and_goes_back_to_my_account_r_acct_5(
    client_of, hanako
):
    response = client_of.post(URL, VALID)

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    hanako.refresh_from_db()
    assert (hanako.last_name, hanako.first_name) == ("高橋", "花子")
    # Kana typed in hiragana or half-width is kept as typed, normalised (NFKC).
    assert (hanako.last_name_kana, hanako.first_name_kana) == ("たかはし", "ハナコ")
    assert hanako.department == "人材開発部"
    entry = AuditEntry.objects.get(action="user.profile_updated")
    assert entry.actor == hanako
    assert entry.target_id == str(hanako.pk)
    assert entry.data["last_name"] == ["佐藤", "高橋"]
    assert "first_name" not in entry.data  # unchanged fields are not recorded

    page = client_of.get(response["Location"]).content.decode()
    assert "登録情報を変更しました。" in page


@pytest.mark.parametrize(
    "changes,field,message",
    [
        (
            {"last_name_kana": "Takahashi"},
            "last_name_kana",
            "カナ（カタカナまたはひらがな）で入力してください。",
        ),
        ({"last_name": ""}, "last_name", "この項目は必須です"),
        (
            {"department": "部" * 201},
            "department",
            "この値は 200 文字以下でなければなりません( 201 文字になっています)。",
        ),
    ],
    ids=["kana", "missing", "too_long"],
)
def test_bad_input_shows_its_message_and_saves_nothing(client_of, hanako, changes, field, message):
    response = client_of.post(URL, {**VALID, **changes})

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    html = response.content.decode()
    assert 'id="error-summary"' in html and f'href="#id_{field}"' in html
    assert 'value="人材開発部"' in html or field == "department"  # what was typed stays
    hanako.refresh_from_db()
    assert hanako.last_name == "佐藤" and hanako.department == "人事部"
    assert not AuditEntry.objects.exists()


def test_saving_without_changes_writes_no_audit_entry(client_of, hanako):
    data = {
        "last_name": "佐藤",
        "first_name": "花子",
        "last_name_kana": "サトウ",
        "first_name_kana": "ハナコ",
        "department": "人事部",
    }
    assert client_of.post(URL, data).status_code == 302
    assert not AuditEntry.objects.exists()


def test_other_fields_in_the_post_are_ignored(client_of, hanako):
    client_of.post(URL, {**VALID, "user_type": "group_applicant", "username": "hacked"})
    hanako.refresh_from_db()
    assert hanako.user_type == "corporate" and hanako.username == "hanako"


def test_a_post_without_the_csrf_token_is_refused(hanako):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hanako)
    assert client.post(URL, VALID).status_code == 403
    hanako.refresh_from_db()
    assert hanako.last_name == "佐藤"
