from django.shortcuts import render

from . import selectors


def home(request):
    """Home: search box, upcoming sessions, e-learning courses, news."""
    return render(
        request,
        "catalog/home.html",
        {
            "sessions": selectors.upcoming_sessions(limit=10),
            "elearning_courses": selectors.published_elearning_courses(),
        },
    )
