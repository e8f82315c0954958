"""The .ics file of a session (pure): UTC times, escaping, folding at 75 octets."""

import datetime as dt

from kenshu.core.time import tokyo_datetime
from kenshu.enrollments.ics import session_ics


def test_the_event_is_written_in_utc_with_crlf_line_ends():
    body = session_ics(
        uid="session-1@example.jp",
        summary="ILC1234 ビジネス文書研修",
        starts_at=tokyo_datetime(dt.date(2026, 5, 11), 10),
        ends_at=tokyo_datetime(dt.date(2026, 5, 11), 17),
        location="東京本社 研修室A",
        stamp=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    lines = body.split("\r\n")
    assert "DTSTART:20260511T010000Z" in lines
    assert "DTEND:20260511T080000Z" in lines
    assert "DTSTAMP:20260401T000000Z" in lines
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"


def test_text_is_escaped_and_long_lines_are_folded_without_splitting_a_character():
    body = session_ics(
        uid="u",
        summary="研修; 応用, 上級\n" + "あ" * 40,
        starts_at=dt.datetime(2026, 5, 11, 1, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 5, 11, 8, tzinfo=dt.UTC),
        stamp=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    for line in body.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = body.replace("\r\n ", "")
    assert "SUMMARY:研修\\; 応用\\, 上級\\n" + "あ" * 40 in unfolded
