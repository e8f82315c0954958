"""/staff/migration/: the review list of migrated members (R-MIGRATE-2): legacy data
beside the new account; staff change type or organisation (audited) and mark reviewed."""

import pytest
from django.test import Client

from kenshu.accounts import roles
from kenshu.accounts.models import Organisation, User
from kenshu.audit.models import AuditEntry
from kenshu.core.testing import NO_ROLE, make_staff
from kenshu.migration.models import LegacyMember
from kenshu.notifications.models import OutboxEmail

from .helpers import booking, corporate, member, run

pytestmark = pytest.mark.django_db

URL = "/staff/migration/"


@pytest.fixture
def migrated(catalogue):
    """M0001 (individual, handled individually), M0002 (group applicant of 株式会社サンプル,
    handled individually), M0003 (nothing to review)."""
    run(
        [
            member(1, login_id="yamada", last_name="山田"),
            corporate(2, login_id="jinji", last_name="人事", company="株式会社サンプル"),
            member(3, login_id="nobody", last_name="無関係"),
        ],
        [
            booking(1, "M0001"),
            booking(2, "M0002", participant_name="鈴木 一郎", participant_email="s@example.jp"),
        ],
    )
    return {m.legacy_member_id: m for m in LegacyMember.objects.select_related("user")}


def detail(member: LegacyMember) -> str:
    return f"{URL}{member.pk}/"


@pytest.mark.parametrize(
    "role, status",
    [
        (roles.RECEPTION, 200),
        (roles.ADMINISTRATOR, 200),
        (roles.ACCOUNTING, 403),
        (NO_ROLE, 403),
    ],
)
def test_the_review_pages_are_for_reception_and_administrators(client, migrated, role, status):
    client.force_login(make_staff(role))
    assert client.get(URL).status_code == status
    assert client.get(detail(migrated["M0001"])).status_code == status


def test_customers_get_403_and_visitors_the_login_page(client, migrated):
    assert client.get(URL)["Location"].startswith("/accounts/login/?next=/staff/migration/")
    client.force_login(migrated["M0001"].user)
    assert client.get(URL).status_code == 403
    assert client.post(detail(migrated["M0001"]), {"action": "review"}).status_code == 403


def test_the_list_shows_members_to_review_legacy_data_beside_the_new_account(
    client, reception, migrated
):
    client.force_login(reception)
    response = client.get(URL)
    listed = [m.legacy_member_id for m in response.context["page"].object_list]
    assert listed == ["M0001", "M0002"]
    html = response.content.decode()
    assert "法人グループ申込者" in html and "株式会社サンプル" in html  # the account
    assert "法人" in html and "人事" in html  # the legacy row
    assert "個別対応" in html  # why
    assert f'href="{detail(migrated["M0002"])}"' in html


def test_the_staff_nav_links_the_review_list(client, reception, accountant, migrated):
    client.force_login(reception)
    assert f'href="{URL}"' in client.get("/staff/").content.decode()
    client.force_login(accountant)
    assert f'href="{URL}"' not in client.get("/staff/").content.decode()


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "jinji"}, ["M0002"]),
        ({"q": "ｻﾝﾌﾟﾙ"}, ["M0002"]),
        ({"q": "M0001"}, ["M0001"]),
        ({"state": "all"}, ["M0001", "M0002", "M0003"]),
        ({"state": "individual"}, ["M0001", "M0002"]),
        ({"state": "reviewed"}, []),
    ],
)
def test_the_list_can_be_searched_and_filtered(client, reception, migrated, params, expected):
    client.force_login(reception)
    page = client.get(URL, params).context["page"]
    assert [m.legacy_member_id for m in page.object_list] == expected


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_number_of_queries_for_5_and_50_members(
    client, reception, catalogue, django_assert_num_queries, rows
):
    run(
        [corporate(n, company=f"株式会社{n}") for n in range(1, rows + 1)],
        [booking(n, f"M{n:04d}") for n in range(1, rows + 1)],
    )
    client.force_login(reception)
    # session, user, the user's and its groups' permissions, count, page (with accounts)
    with django_assert_num_queries(6):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == rows


def test_the_list_is_paginated_by_50(client, reception, catalogue):
    run([member(n) for n in range(1, 52)], [booking(n, f"M{n:04d}") for n in range(1, 52)])
    client.force_login(reception)
    assert len(client.get(URL).context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


def test_the_detail_shows_the_legacy_row_its_bookings_and_the_account(client, reception, migrated):
    client.force_login(reception)
    html = client.get(detail(migrated["M0002"])).content.decode()
    assert "legacy_member_id" in html and "M0002" in html
    assert "B00002" in html and "鈴木 一郎" in html and "s@example.jp" in html
    assert "インベントリ" in html
    assert "jinji" in html and "法人グループ申込者" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_staff_change_the_type_from_the_review_page_audited_and_emailed(
    client, reception, migrated
):
    yamada = migrated["M0001"]
    client.force_login(reception)

    response = client.post(
        detail(yamada),
        {
            "action": "change",
            "user_type": "corporate",
            "company_name": "株式会社　ヤマダ",
            "reason": "電話で確認",
        },
    )

    assert response.status_code == 302 and response["Location"] == detail(yamada)
    user = User.objects.get(pk=yamada.user_id)
    assert user.user_type == User.UserType.CORPORATE
    assert user.organisation.name == "株式会社 ヤマダ"
    entry = AuditEntry.objects.get(action="user.type_changed", target_id=str(user.pk))
    assert entry.actor == reception
    assert (entry.data["from"], entry.data["to"], entry.data["reason"]) == (
        "individual",
        "corporate",
        "電話で確認",
    )
    assert OutboxEmail.objects.filter(template="user_type_changed", to_email=user.email).exists()


def test_staff_change_only_the_organisation_audited(client, reception, migrated):
    jinji = migrated["M0002"]
    client.force_login(reception)

    client.post(
        detail(jinji),
        {
            "action": "change",
            "user_type": "group_applicant",
            "company_name": "株式会社サンプル本社",
            "reason": "社名の誤り",
        },
    )

    user = User.objects.get(pk=jinji.user_id)
    assert user.organisation.name == "株式会社サンプル本社"
    entry = AuditEntry.objects.get(action="user.organisation_changed")
    assert entry.actor == reception and entry.data["reason"] == "社名の誤り"
    assert entry.data["to"] == Organisation.objects.get(name="株式会社サンプル本社").pk


def test_a_change_that_changes_nothing_is_an_error_on_the_page(client, reception, migrated):
    client.force_login(reception)
    response = client.post(
        detail(migrated["M0001"]),
        {"action": "change", "user_type": "individual", "company_name": "", "reason": "x"},
    )
    assert response.status_code == 200
    assert "現在と同じ内容のため、変更されません" in response.content.decode()


def test_accounting_cannot_change_or_mark(client, accountant, migrated):
    client.force_login(accountant)
    target = detail(migrated["M0001"])
    for data in ({"action": "review"}, {"action": "change", "user_type": "corporate"}):
        assert client.post(target, data).status_code == 403


def test_staff_mark_a_member_reviewed_and_it_leaves_the_list(client, reception, migrated):
    client.force_login(reception)
    yamada = migrated["M0001"]

    response = client.post(detail(yamada), {"action": "review", "note": "確認済み"})

    assert response.status_code == 302 and response["Location"] == URL
    yamada.refresh_from_db()
    assert not yamada.needs_review
    assert (yamada.reviewed_by, yamada.review_note) == (reception, "確認済み")
    assert AuditEntry.objects.filter(action="migration.member_reviewed", actor=reception).exists()
    listed = [m.legacy_member_id for m in client.get(URL).context["page"].object_list]
    assert listed == ["M0002"]
    reviewed = client.get(URL, {"state": "reviewed"}).context["page"].object_list
    assert [m.legacy_member_id for m in reviewed] == ["M0001"]
    again = client.post(detail(yamada), {"action": "review"})
    assert again.status_code == 200  # no form any more: the service says why
    assert "確認済み" in again.content.decode()


def test_a_post_without_the_csrf_token_is_refused(reception, migrated):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reception)
    response = client.post(detail(migrated["M0001"]), {"action": "review"})
    assert response.status_code == 403
    assert LegacyMember.objects.get(legacy_member_id="M0001").needs_review


def test_an_unknown_member_is_404(client, reception, migrated):
    client.force_login(reception)
    assert client.get(f"{URL}999999/").status_code == 404
