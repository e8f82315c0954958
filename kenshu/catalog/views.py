import hashlib
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from kenshu.accounts.policy import Action, can

from . import display, selectors
from .forms import CatalogueSearchForm
from .models import Course

#: How many upcoming sessions and e-learning courses the home page lists.
HOME_SESSION_LIMIT = 10
HOME_ELEARNING_LIMIT = 12


@require_http_methods(["GET", "HEAD"])
def home(request):
    """Home: search box, upcoming sessions, e-learning courses, news."""
    return render(
        request,
        "catalog/home.html",
        {
            "sessions": selectors.upcoming_sessions(limit=HOME_SESSION_LIMIT),
            "elearning_courses": selectors.published_elearning_courses(limit=HOME_ELEARNING_LIMIT),
            "news": selectors.site_news(),
        },
    )


@require_http_methods(["GET", "HEAD"])
def course_search(request):
    """/courses/: the catalogue search, no login needed (DOMAIN.md §3, §14).

    Bad input (an impossible date, from after to) is answered with the form's
    error summary and no results, never a 500.

    For anonymous visitors the page's content (form and results, the same for every
    visitor of a language and query string) is kept ``KENSHU_CATALOGUE_CACHE_SECONDS``
    in the cache: the seats left shown may be that many seconds old, which is safe as
    applying counts them again under the session's lock (docs/performance.md). The
    layout around it (header, CSRF token) is rendered for each request.
    """
    cache_key = _catalogue_cache_key(request)
    content = cache.get(cache_key) if cache_key else None
    if content is None:
        content = render_to_string(
            "catalog/course_search_content.html", _course_search_context(request), request
        )
        if cache_key:
            cache.set(cache_key, content, settings.KENSHU_CATALOGUE_CACHE_SECONDS)
    return render(request, "catalog/course_search.html", {"content": content})


def _course_search_context(request) -> dict:
    form = CatalogueSearchForm(request.GET or None)
    page = query = None
    if not form.is_bound:
        query = selectors.CatalogueQuery()
    elif form.is_valid():
        query = form.query()
    if query is not None:
        page = selectors.catalogue_search(query=query, page_number=request.GET.get("page"))
        display.decorate_catalogue_page(page, query)
    return {
        "form": form,
        "form_html": _search_form_html(
            get_language(),
            get_urlconf(),
            tuple((key, tuple(values)) for key, values in request.GET.lists()),
        ),
        "page": page,
        "query": query,
    }


@lru_cache(maxsize=256)
def _search_form_html(language: str, urlconf, query: tuple) -> str:
    """The search form, filled in and with its errors: a function of the language and
    the query string alone (no user, no token: a GET form), kept rendered per process —
    rendering its eight fields and their widgets cost ~2 ms a page (docs/performance.md).
    ``query``: the query string's ``(name, values)`` pairs."""
    data = QueryDict(mutable=True)
    for key, values in query:
        data.setlist(key, list(values))
    form = CatalogueSearchForm(data or None)
    form.is_valid()
    return render_to_string(
        "catalog/includes/search_form.html",
        {
            "form": form,
            # Filters beyond the keyword: their panel stays open on a phone.
            "narrowed": bool(form.errors)
            or any(data.get(name) for name in CatalogueSearchForm.MORE_FILTERS),
        },
    )


def _catalogue_cache_key(request) -> str | None:
    """The cache key of an anonymous visitor's catalogue search (language and query
    string), or None: logged-in users, or the cache turned off."""
    if not settings.KENSHU_CATALOGUE_CACHE_SECONDS or request.user.is_authenticated:
        return None
    query_string = request.META.get("QUERY_STRING", "")
    digest = hashlib.sha256(query_string.encode()).hexdigest()
    return f"catalog:search:v1:{get_language()}:{digest}"


def _page_exists(path: str) -> bool:
    """True when ``path`` is served by this site (pages that later issues add)."""
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@require_http_methods(["GET", "HEAD"])
def course_detail(request, code: str):
    """/courses/<code>/: a published course and its sessions, with apply buttons for
    those who may apply (anonymous visitors too: the apply page asks them to log in).

    "Buy seats for others" (group applicants, R-APPLY-2) links to /purchase/…, shown
    once that page exists.
    """
    try:
        course = selectors.published_course(code=code)
    except Course.DoesNotExist:
        canonical = selectors.published_course_code(typed=code)
        if canonical is None or canonical == code:
            raise Http404 from None
        return redirect("catalog:course_detail", code=canonical, permanent=True)
    user = request.user
    may_apply = not user.is_authenticated or can(user, Action.APPLY_FOR_SELF)
    may_buy = can(user, Action.BUY_FOR_OTHERS) and _page_exists(
        "/purchase/course/X/"
        if course.delivery == Course.Delivery.ELEARNING
        else "/purchase/session/1/"
    )
    sessions = None
    if course.has_sessions:
        sessions = selectors.course_sessions(course=course, page_number=request.GET.get("page"))
    return render(
        request,
        "catalog/course_detail.html",
        {
            "course": course,
            "page": sessions,
            "fee_with_tax": selectors.fee_with_tax(course.fee),
            "may_apply": may_apply,
            "may_buy": may_buy,
            "partner_lead_days": selectors.elearning_lead_days(is_partner=True),
        },
    )
