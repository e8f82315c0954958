from django.shortcuts import render

from . import selectors

#: How many upcoming sessions and e-learning courses the home page lists.
HOME_SESSION_LIMIT = 10
HOME_ELEARNING_LIMIT = 12


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
