"""manage.py import_legacy: the legacy members and bookings (DOMAIN.md §10), over
``kenshu.migration.services.legacy_import``. See docs/migration.md.

Exit status: 0 when every row was imported (or deliberately not imported: cancelled,
before the cut-off); 2 when the run completed but rows were rejected (see the report);
1 when nothing could be done (a file that cannot be read, a bad option).
"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kenshu.migration.parsing import LegacyFileError, read_legacy_file
from kenshu.migration.plans import DEFAULT_CUTOFF
from kenshu.migration.report import report_write
from kenshu.migration.services import ImportResult, legacy_import, review_message

#: Rejected rows printed in the summary (all of them with --verbosity 2, and in --report).
SHOWN_REJECTIONS = 20
EXIT_REJECTED = 2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        raise CommandError(
            _("--cutoff: “%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
        ) from None


class _Progress:
    """A tqdm bar per step on stderr; none when stderr is not a terminal or -v 0."""

    LABELS = {"check": "checking", "write": "writing", "notices": "notices"}

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.step = None

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if step != self.step:
            self.close()
            self.step = step
            self.bar = tqdm(
                total=total,
                desc=self.LABELS.get(step, step),
                file=sys.stderr,
                unit="row" if step == "check" else "member",
                leave=False,
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class Command(BaseCommand):
    help = "Import members and bookings from the legacy system's CSV files (R-MIGRATE)."

    def add_arguments(self, parser):
        parser.add_argument("--members", required=True, help="members CSV file")
        parser.add_argument("--bookings", required=True, help="bookings CSV file")
        parser.add_argument(
            "--cutoff",
            type=_date,
            default=DEFAULT_CUTOFF,
            help="members with live bookings for sessions from this date on are handled "
            "individually (default %(default)s)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="do everything, report, keep nothing"
        )
        parser.add_argument(
            "--send-notices",
            action="store_true",
            help="queue the system renewal email of every migrated member (once each)",
        )
        parser.add_argument("--report", help="write the report CSV (UTF-8 with BOM) here")
        parser.add_argument(
            "--encoding", help="the files' encoding (default: detected: UTF-8, BOM, CP932)"
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        try:
            members = read_legacy_file(
                _path(options["members"]), kind="members", encoding=options["encoding"]
            )
            bookings = read_legacy_file(
                _path(options["bookings"]), kind="bookings", encoding=options["encoding"]
            )
        except LegacyFileError as exc:
            raise CommandError(str(exc)) from None
        progress = _Progress(verbosity > 0 and sys.stderr.isatty())
        try:
            result = legacy_import(
                members_rows=members.rows,
                bookings_rows=bookings.rows,
                cutoff=options["cutoff"],
                dry_run=options["dry_run"],
                send_notices=options["send_notices"],
                progress=progress,
            )
        finally:
            progress.close()
        if options["report"]:
            report_write(result, options["report"])
        if verbosity > 0:
            self._summary(result, members, bookings, options, verbosity)
        if result.rejected:
            sys.exit(EXIT_REJECTED)

    def _summary(self, result: ImportResult, members, bookings, options, verbosity) -> None:
        out = self.stdout
        m, b = result.members, result.bookings
        if result.dry_run:
            out.write(_("DRY RUN: nothing below was saved."))
        out.write(
            _("Files: members %(members)s, bookings %(bookings)s; cut-off %(cutoff)s.")
            % {
                "members": members.encoding,
                "bookings": bookings.encoding,
                "cutoff": result.cutoff.isoformat(),
            }
        )
        out.write(
            _(
                "Members: %(read)s read, %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(rejected)s rejected."
            )
            % m.as_dict()
        )
        out.write(
            _(
                "Bookings: %(read)s read, %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(rejected)s rejected, %(skipped)s not imported "
                "(cancelled or before the cut-off)."
            )
            % b.as_dict()
        )
        out.write(
            _("Members handled individually: %(count)s (to review: %(review)s).")
            % {"count": len(result.handled_individually), "review": len(result.to_review)}
        )
        out.write(
            _(
                "Organisations created: %(orgs)s; members made group applicants: %(groups)s; "
                "group learners created: %(learners)s; inventory seats: %(seats)s."
            )
            % {
                "orgs": result.organisations_created,
                "groups": result.group_applicants,
                "learners": result.learners_created,
                "seats": result.seats_created,
            }
        )
        if result.over_capacity:
            out.write(
                _("Sessions over capacity after the import: %(sessions)s.")
                % {"sessions": ", ".join(p.legacy_id for p in result.over_capacity)}
            )
        if options["send_notices"]:
            out.write(
                _("System renewal notices queued: %(count)s.") % {"count": result.notices_queued}
            )
        rejected = result.rejected
        shown = rejected if verbosity > 1 else rejected[:SHOWN_REJECTIONS]
        for problem in shown:
            out.write(
                _("  rejected: %(file)s row %(row)s (%(id)s): %(reason)s")
                % {
                    "file": problem.file,
                    "row": problem.row if problem.row is not None else "—",
                    "id": problem.legacy_id or "—",
                    "reason": problem.message,
                }
            )
        if len(rejected) > len(shown):
            out.write(
                _("  … and %(count)s more rejected rows (see the report).")
                % {"count": len(rejected) - len(shown)}
            )
        if verbosity > 1:
            for problem in result.to_review:
                out.write(
                    _("  to review: %(id)s: %(reason)s")
                    % {"id": problem.legacy_id, "reason": review_message(problem)}
                )
        if options["report"]:
            out.write(_("Report: %(path)s") % {"path": options["report"]})


def _path(value: str):
    from pathlib import Path

    path = Path(value)
    if not path.is_file():
        raise CommandError(_("No such file: %(path)s") % {"path": value})
    return path
