"""The import report: a CSV (UTF-8 with BOM, so that Excel opens it in Japanese) listing
every rejected row, every booking not imported, every member for review and every
session the import took over capacity, with the row number and the reason.

Written line by line (a run of 100,000 members may list as many lines)."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import pgettext

from .problems import Problem
from .services import ImportResult, review_message

ORDER = {"rejected": 0, "skipped": 1, "review": 2, "over_capacity": 3}


def _kind_label(kind: str) -> str:
    return {
        "rejected": pgettext("import report", "Rejected"),
        "skipped": pgettext("import report", "Not imported"),
        "review": pgettext("import report", "To review"),
        "over_capacity": pgettext("import report", "Over capacity"),
    }.get(kind, kind)


def _reason(problem: Problem) -> str:
    return review_message(problem) if problem.kind == "review" else problem.message


def report_rows(result: ImportResult) -> Iterator[list[str]]:
    """The header, then one line per problem: rejected, not imported, to review, over
    capacity; each by file and row."""
    yield [
        pgettext("import report", "Kind"),
        pgettext("import report", "File"),
        pgettext("import report", "Row"),
        pgettext("import report", "Legacy ID"),
        pgettext("import report", "Legacy member ID"),
        pgettext("import report", "Code"),
        pgettext("import report", "Reason"),
    ]
    labels = {kind: _kind_label(kind) for kind in ORDER}
    problems = sorted(
        result.problems,
        key=lambda p: (ORDER.get(p.kind, 9), p.file, p.row or 0, p.legacy_id),
    )
    for problem in problems:
        yield [
            labels.get(problem.kind, problem.kind),
            problem.file,
            "" if problem.row is None else str(problem.row),
            problem.legacy_id,
            problem.legacy_member_id,
            problem.code,
            _reason(problem),
        ]


def report_write_to(result: ImportResult, stream: IO[str]) -> None:
    csv.writer(stream, lineterminator="\r\n").writerows(report_rows(result))


def report_write(result: ImportResult, path: str | Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        report_write_to(result, stream)


def report_csv(result: ImportResult) -> bytes:
    """The report as bytes (UTF-8 with BOM)."""
    buffer = io.BytesIO()
    with io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="") as stream:
        report_write_to(result, stream)
        stream.flush()
        return buffer.getvalue()
