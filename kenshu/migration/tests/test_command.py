"""manage.py import_legacy: options, exit status, closing summary, report file."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from kenshu.accounts.models import User
from kenshu.migration.models import LegacyMember
from kenshu.notifications.models import OutboxEmail

from .helpers import booking, command, corporate, member, members_file, write_files

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("encoding", ["cp932", "utf-8-sig", "utf-8"])
def test_a_clean_run_exits_0_and_prints_the_summary(tmp_path, catalogue, encoding):
    members, bookings = write_files(
        tmp_path,
        [member(1), corporate(2)],
        [
            booking(1),
            booking(2, "M0002", participant_name="鈴木", participant_email="s@ex.jp"),
            booking(3, status="キャンセル"),
        ],
        encoding,
    )

    status, out = command("--members", str(members), "--bookings", str(bookings))

    assert status == 0
    assert f"会員 {encoding}、申込 {encoding}" in out
    assert "会員: 読込 2、新規 2、更新 0、変更なし 0、取込不可 0" in out
    assert "申込: 読込 3、新規 2、更新 0、変更なし 0、取込不可 0、取込対象外 1" in out
    assert "個別対応の会員: 2" in out
    assert User.objects.filter(legacy_member__isnull=False).count() == 2


def test_rejected_rows_make_exit_status_2_and_are_listed(tmp_path, catalogue):
    members, bookings = write_files(
        tmp_path, [member(1), member(2, email="x@")], [booking(1, "M0009")]
    )

    status, out = command("--members", str(members), "--bookings", str(bookings))

    assert status == 2
    assert "取込不可 1" in out
    assert "members 3行目 (M0002)" in out
    assert "bookings 2行目 (B00001)" in out


def test_a_dry_run_says_so_and_keeps_nothing(tmp_path, catalogue):
    members, bookings = write_files(tmp_path, [member(1)], [booking(1)])

    status, out = command(
        "--members", str(members), "--bookings", str(bookings), "--dry-run", "--send-notices"
    )

    assert status == 0
    assert out.startswith("ドライラン")
    assert "新規 1" in out and "システムリニューアルのお知らせ: 1" in out
    assert not LegacyMember.objects.exists() and not OutboxEmail.objects.exists()


def test_the_cutoff_the_notices_and_the_report_are_options(tmp_path, catalogue):
    members, bookings = write_files(tmp_path, [member(1)], [booking(1)])
    report = tmp_path / "report.csv"

    status, out = command(
        "--members",
        str(members),
        "--bookings",
        str(bookings),
        "--cutoff",
        "2023/12/01",
        "--send-notices",
        "--report",
        str(report),
    )

    assert status == 0
    assert "取込対象外 1" in out and "2023-12-01" in out
    assert OutboxEmail.objects.count() == 1
    rows = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert rows[1][:6] == ["取込対象外", "bookings", "2", "B00001", "M0001", "before_cutoff"]
    assert str(report) in out


def test_an_unreadable_file_stops_the_run_with_a_clear_message(tmp_path, catalogue):
    members, bookings = write_files(tmp_path, [member(1)], [booking(1)])
    members.write_bytes(members_file([member(1)], header=["legacy_member_id", "login_id"]))

    with pytest.raises(CommandError, match="email"):
        call_command("import_legacy", "--members", str(members), "--bookings", str(bookings))
    with pytest.raises(CommandError, match=r"nope\.csv"):
        call_command("import_legacy", "--members", "nope.csv", "--bookings", str(bookings))
    with pytest.raises(CommandError, match="2023-13-01"):
        call_command(
            "import_legacy",
            "--members",
            str(members),
            "--bookings",
            str(bookings),
            "--cutoff",
            "2023-13-01",
        )
    assert not LegacyMember.objects.exists()


def test_the_encoding_can_be_given(tmp_path, catalogue):
    members, bookings = write_files(tmp_path, [member(1, last_name="髙橋")], [], "cp932")

    status, _out = command(
        "--members", str(members), "--bookings", str(bookings), "--encoding", "cp932"
    )

    assert status == 0
    assert User.objects.get(username="member1").last_name == "髙橋"


def test_verbosity_0_prints_nothing_and_2_lists_the_members_to_review(tmp_path, catalogue):
    members, bookings = write_files(tmp_path, [member(1)], [booking(1)])
    assert command("--members", str(members), "--bookings", str(bookings), "-v", "0") == (0, "")

    status, out = command("--members", str(members), "--bookings", str(bookings), "-v", "2")
    assert status == 0
    assert "要確認: M0001" in out


def test_the_progress_bar_goes_to_stderr_only_on_a_terminal(tmp_path, catalogue, capsys):
    from kenshu.migration.management.commands.import_legacy import _Progress

    progress = _Progress(enabled=True)
    progress("check", 0, 10)
    progress("check", 10, 10)
    progress("write", 3, 5)
    progress.close()
    assert "checking" in capsys.readouterr().err

    members, bookings = write_files(tmp_path, [member(1)], [booking(1)])
    command("--members", str(members), "--bookings", str(bookings))  # stderr is no terminal
    assert capsys.readouterr().err == ""
