"""The staff area (DOMAIN.md §11): thin views over the selectors and services."""

from django.shortcuts import render
from django.utils import formats
from django.utils.translation import get_language, pgettext
from django.views.decorators.http import require_http_methods

from kenshu.backoffice import charts, selectors
from kenshu.backoffice.access import staff_required
from kenshu.backoffice.templatetags.backoffice_tags import yen_amount


def _month_labels(month) -> tuple[str, str]:
    """A month in full ("2026年5月") and under the axis ("5月")."""
    full = formats.date_format(month, pgettext("chart month, in full", "F Y"))
    short = formats.date_format(month, pgettext("chart month, under the axis", "M"))
    return full, short


def _charts(figures) -> dict:
    """The dashboard's charts, computed from its figures (SVG coordinates)."""
    result = {}
    if figures.months is not None:
        seats, revenue = [], []
        for m in figures.months:
            full, short = _month_labels(m.month)
            seats.append(charts.Point(full, m.seats, f"{m.seats:,}", short))
            revenue.append(charts.Point(full, m.revenue, yen_amount(m.revenue), short))
        result["seats"] = charts.bar_chart(seats, fmt=lambda v: f"{v:,}")
        result["revenue"] = charts.line_chart(revenue, fmt=_compact_yen)
    if figures.course_fill:
        result["fill"] = charts.percent_bars(
            [
                charts.Point(f"{f.code} {f.title}", f.percent, f"{f.percent}%", f.code)
                for f in figures.course_fill
            ]
        )
    return result


def _compact_yen(value: int) -> str:
    """An axis label: 万 (10,000 yen) in Japanese, thousands ("¥120k") otherwise."""
    if abs(value) < 10_000:
        return f"{value:,}"
    if (get_language() or "ja").startswith("ja"):
        man = value / 10_000
        return f"{int(man):,}万" if man == int(man) else f"{man:,.1f}万"
    return f"¥{value / 1000:,.0f}k"


@staff_required()
@require_http_methods(["GET"])
def dashboard(request):
    """/staff/: today's and this week's sessions, open requests by kind with their age,
    seats sold and revenue by month, fill rate by course, failed emails, overdue
    invoices; each part only for staff holding the permission of what it shows."""
    figures = selectors.dashboard_figures(staff=request.user)
    return render(
        request,
        "backoffice/dashboard.html",
        {"figures": figures, "charts": _charts(figures)},
    )
