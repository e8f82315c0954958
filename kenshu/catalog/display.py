"""Display strings of the catalogue, computed in Python once per row.

The catalogue search shows 20 courses with 3 sessions each on every page; built
with per-row ``{% include %}`` and ``{% blocktranslate %}`` tags, that page spent
most of its time in the template engine (docs/performance.md). The strings are
the same (same msgids, so the same translations); ``CatalogueLabels`` makes them
with ``gettext``/``ngettext``, looking up the fixed ones once per page, and
``decorate_catalogue_page`` sets them on the rows: the template only prints them.

Dates go through Django's ``date`` filter, remembered per local time, format and
language: a catalogue shows the same few dozen dates on every page.
"""

import datetime as dt
import html
from functools import cached_property, lru_cache
from urllib.parse import quote

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, gettext, ngettext

from .models import Course, Session
from .selectors import UPCOMING_COUNT_CAP, Booking, elearning_lead_days, fee_with_tax

#: How much of a course's summary the catalogue search shows.
SUMMARY_CHARS = 120


@lru_cache(maxsize=4096)
def _cached_date(value: dt.datetime, zone: str, fmt: str, language: str | None) -> str:
    # ``zone`` is part of the key: equal instants in two zones compare equal.
    return date_filter(value, fmt)


def _html_message(message: str, **values) -> SafeString:
    """A translated message that holds markup, its values escaped (as
    ``{% blocktranslate %}`` does)."""
    return mark_safe(message % {k: conditional_escape(v) for k, v in values.items()})  # noqa: S308


class CatalogueLabels:
    """The catalogue's display strings in the active language and time zone.

    Make one per page (or per row): the fixed strings are translated once.
    """

    def __init__(self):
        self.language = get_language()
        self.zone = get_current_timezone()
        self.zone_key = str(self.zone)

    def format(self, value: dt.datetime, fmt: str) -> str:
        """``value|date:fmt`` in the current time zone (Asia/Tokyo) and language."""
        return _cached_date(value.astimezone(self.zone), self.zone_key, fmt, self.language)

    @cached_property
    def date_format(self) -> str:
        return gettext("D, j M Y")

    @cached_property
    def end_format(self) -> str:
        # Translators: date formats of the Django "date" filter (D weekday, j day, n
        # month number, M month name, Y year, H:i time).
        return gettext("D, j M H:i")

    @cached_property
    def same_day(self) -> str:
        return gettext("%(start)s–%(end)s")

    @cached_property
    def other_day(self) -> str:
        return gettext("%(start)s to %(end)s")

    @cached_property
    def fixed(self) -> dict[str, str]:
        return {
            "online": gettext("Online"),
            "to_be_announced": gettext("To be announced"),
            "closed": format_html(
                '<span class="badge text-bg-light border seats-badge">{}</span>',
                gettext("Applications closed"),
            ),
            "full": format_html(
                '<span class="badge badge-full seats-badge">{}</span>', gettext("Full")
            ),
            "excl_tax": gettext("¥%(fee)s (excl. tax)"),
            "incl_tax": gettext("¥%(fee)s (incl. tax)"),
            "next_sessions": gettext("Next sessions of %(title)s"),
        }

    def date(self, value: dt.datetime) -> str:
        """ "2099年4月15日(水)" / "Wed, 15 Apr 2099"."""
        return self.format(value, self.date_format)

    def session_times(self, session: Session) -> str:
        """ "10:00〜17:00", or "10:00〜4月16日(木) 17:00" for a session that ends on
        another day (Asia/Tokyo)."""
        starts_at = session.starts_at.astimezone(self.zone)
        ends_at = session.ends_at.astimezone(self.zone)
        start = _cached_date(starts_at, self.zone_key, "H:i", self.language)
        if starts_at.date() == ends_at.date():
            end = _cached_date(ends_at, self.zone_key, "H:i", self.language)
            return self.same_day % {"start": start, "end": end}
        end = _cached_date(ends_at, self.zone_key, self.end_format, self.language)
        return self.other_day % {"start": start, "end": end}

    def venue(self, session: Session, course: Course) -> str:
        """The venue; "Online" for a live session without one, else "To be announced"."""
        if session.venue:
            return session.venue
        if course.delivery == Course.Delivery.LIVE:
            return self.fixed["online"]
        return self.fixed["to_be_announced"]

    def seats(self, session: Session) -> SafeString:
        """What a session offers now: seats left, full (満席), closed or cancelled (中止),
        and the "confirmed" badge. Needs ``session.booking`` and ``session.seats_left``
        (``selectors.annotate_seats``)."""
        booking = session.booking
        if booking == Booking.CANCELLED:
            html = format_html(
                '<span class="badge text-bg-secondary seats-badge">{}</span>',
                session.get_state_display(),
            )
        elif booking == Booking.CLOSED:
            html = self.fixed["closed"]
        elif booking == Booking.FULL:
            html = self.fixed["full"]
        else:
            seats = session.seats_left
            html = format_html(
                '<span class="seats-left{}">{}</span>',
                " seats-few" if seats <= 3 else "",
                ngettext("%(seats)s seat left", "%(seats)s seats left", seats) % {"seats": seats},
            )
        if session.state == Session.State.CONFIRMED:
            html += format_html(
                ' <span class="badge text-bg-success">{}</span>', session.get_state_display()
            )
        return html

    def fees(self, fee: int) -> tuple[str, str]:
        """ "12,345円（税抜）" and "13,579円（税込）" (10 % consumption tax, rounded down)."""
        return (
            self.fixed["excl_tax"] % {"fee": floatformat(fee, "0g")},
            self.fixed["incl_tax"] % {"fee": floatformat(fee_with_tax(int(fee)), "0g")},
        )


def session_times(session: Session) -> str:
    """``CatalogueLabels.session_times`` for one session (the ``session_times`` tag)."""
    return CatalogueLabels().session_times(session)


def decorate_catalogue_page(page, query=None) -> None:
    """Set the display strings of the catalogue search's page of courses and of their
    ``next_sessions`` (``selectors.catalogue_search``), and ``page.results_html``: the
    list of results as catalog/course_search_content.html shows it (``results_html``)."""
    labels = CatalogueLabels()
    # One reverse() for the page: "/courses/" + code + "/".
    detail_url = reverse("catalog:course_detail", args=["CODE"]).removesuffix("CODE/")
    for course in page.object_list:
        course.url = f"{detail_url}{quote(course.code)}/"
        course.summary_short = Truncator(course.summary).chars(SUMMARY_CHARS)
        course.fee_excl, course.fee_incl = labels.fees(course.fee)
        if not course.has_sessions:
            days = elearning_lead_days(is_partner=course.is_partner)
            course.access_label = ngettext("%(days)s day", "%(days)s days", course.access_days) % {
                "days": course.access_days
            }
            course.start_label = ngettext(
                "Start any time: access begins %(days)s day after you apply.",
                "Start any time: access begins %(days)s days after you apply.",
                days,
            ) % {"days": days}
            continue
        if course.next_sessions:
            course.sessions_heading = _html_message(
                labels.fixed["next_sessions"], title=course.title
            )
            if course.upcoming_count > len(course.next_sessions):
                total = course.upcoming_count
                course.see_all_html = _html_message(
                    ngettext(
                        'See all %(total)s upcoming sessions<span class="visually-hidden"> of '
                        "%(title)s</span>",
                        'See all %(total)s upcoming sessions<span class="visually-hidden"> of '
                        "%(title)s</span>",
                        total,
                    ),
                    total=f"{UPCOMING_COUNT_CAP}+" if total > UPCOMING_COUNT_CAP else total,
                    title=course.title,
                )
        for session in course.next_sessions:
            session.date_label = labels.date(session.starts_at)
            session.times_label = labels.session_times(session)
            session.venue_label = labels.venue(session, course)
            session.seats_html = labels.seats(session)
    page.results_html = results_html(page.object_list, query=query)


def _escape(value) -> str:
    """``conditional_escape`` without its lazy-string wrapper (500 calls a page): safe
    strings as they are, anything else through ``html.escape`` as Django's ``escape``."""
    return value if isinstance(value, SafeData) else html.escape(str(value))


def results_html(courses, *, query=None) -> SafeString:
    """The ``<ul>`` of the catalogue's results, from the strings
    ``decorate_catalogue_page`` set: built here rather than by a template loop, which
    spent ~5 ms a page on its 600 variable nodes (docs/performance.md). The markup is the
    template's as it was, the strings its msgids; every value is escaped as the
    template's autoescape did (``_escape``: safe strings as they are)."""
    esc = _escape
    partner, fee, duration, access = (
        esc(gettext("Partner course")),
        esc(gettext("Fee")),
        esc(gettext("Duration")),
        esc(gettext("Access period")),
    )
    no_match = no_sessions = None
    parts = ['<ul class="list-unstyled catalogue-results">']
    for course in courses:
        pk, url = course.pk, esc(course.url)
        parts.append(
            f'<li><article class="card course-result" aria-labelledby="course-{pk}-title">'
            '<div class="card-body"><p class="mb-1 d-flex flex-wrap align-items-center gap-2">'
            f'<span class="course-code">{esc(course.code)}</span> '
            f'<span class="badge badge-delivery badge-delivery-{esc(course.delivery)}">'
            f"{esc(course.get_delivery_display())}</span> "
        )
        if course.is_partner:
            parts.append(f'<span class="badge badge-partner">{partner}</span>')
        parts.append(
            f'</p><h3 class="h5 course-result-title" id="course-{pk}-title">'
            f'<a href="{url}">{esc(course.title)}</a></h3> '
        )
        if course.summary:
            parts.append(
                f'<p class="small text-body-secondary mb-2">{esc(course.summary_short)}</p> '
            )
        parts.append(
            f'<dl class="course-facts small mb-2"><dt>{fee}</dt><dd><span class="fee-excl">'
            f'{esc(course.fee_excl)}</span> <span class="fee-incl text-body-secondary">'
            f"{esc(course.fee_incl)}</span></dd> "
        )
        if course.duration:
            parts.append(f"<dt>{duration}</dt><dd>{esc(course.duration)}</dd> ")
        if not course.has_sessions:
            parts.append(f"<dt>{access}</dt><dd>{esc(course.access_label)}</dd> ")
        parts.append("</dl> ")
        if not course.has_sessions:
            parts.append(f'<p class="small mb-0">{esc(course.start_label)}</p> ')
        elif course.next_sessions:
            parts.append(
                f'<h4 class="visually-hidden">{esc(course.sessions_heading)}</h4>'
                '<ul class="list-unstyled next-sessions mb-0">'
            )
            for session in course.next_sessions:
                parts.append(
                    '<li class="next-session"><span class="next-session-date">'
                    f'{esc(session.date_label)} <span class="text-body-secondary">'
                    f"{esc(session.times_label)}</span></span> "
                    f'<span class="next-session-venue">{esc(session.venue_label)}</span> '
                    f'<span class="next-session-seats">{esc(session.seats_html)}</span></li>'
                )
            parts.append("</ul> ")
            if getattr(course, "see_all_html", None):
                parts.append(
                    f'<p class="small mt-2 mb-0"><a href="{url}#sessions">'
                    f"{esc(course.see_all_html)}</a></p> "
                )
        elif query is not None and (query.about_sessions or query.available):
            if no_match is None:
                no_match = esc(gettext("No upcoming session matches the search."))
            parts.append(f'<p class="small text-body-secondary mb-0">{no_match}</p> ')
        else:
            if no_sessions is None:
                no_sessions = esc(gettext("No sessions are scheduled at the moment."))
            parts.append(f'<p class="small text-body-secondary mb-0">{no_sessions}</p> ')
        parts.append("</div></article></li>")
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
