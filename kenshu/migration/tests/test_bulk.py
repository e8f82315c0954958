"""The import's batched inserts (kenshu.migration.bulk): values come back as written,
on SQLite and on PostgreSQL (COPY text format: backslashes, tabs and line breaks)."""

import datetime as dt

import pytest

from kenshu.accounts.models import Organisation, User
from kenshu.core.time import TOKYO
from kenshu.migration.bulk import BulkTable
from kenshu.migration.models import LegacyMember

from .helpers import member, run

pytestmark = pytest.mark.django_db


def test_awkward_values_survive_the_batched_insert(catalogue):
    run(
        [
            member(
                1,
                last_name="山田\\本家",
                department="営業\t一課",
                address="東京都千代田区\n千代田1-1\r\n2F \\N",
            )
        ]
    )
    user = User.objects.get(username="member1")
    assert (user.last_name, user.department) == ("山田\\本家", "営業\t一課")
    data = LegacyMember.objects.get().data
    assert data["address"] == "東京都千代田区\n千代田1-1\r\n2F \\N"
    assert data["department"] == "営業\t一課"


def test_ids_are_returned_in_order_and_defaults_fill_the_rest(db):
    now = dt.datetime(2023, 11, 1, 9, 0, tzinfo=TOKYO)
    table = BulkTable(Organisation, now=now)
    ids = table.insert([{"name": f"会社{n}", "name_key": f"会社{n}"} for n in range(3)])

    organisations = list(Organisation.objects.filter(pk__in=ids).order_by("pk"))
    assert [o.pk for o in organisations] == ids
    assert [o.name for o in organisations] == ["会社0", "会社1", "会社2"]
    assert {o.kind for o in organisations} == {Organisation.Kind.CUSTOMER}
    assert {o.created_at for o in organisations} == {now}  # auto_now_add: the run's time
    assert table.insert([]) == []


def test_a_row_missing_a_required_field_is_a_programming_error(db):
    table = BulkTable(LegacyMember, now=dt.datetime.now(tz=TOKYO))
    with pytest.raises(ValueError, match="user_id"):
        table.insert([{"legacy_member_id": "M1"}])
    with pytest.raises(ValueError, match="nonsense"):
        table.insert([{"nonsense": 1}])
