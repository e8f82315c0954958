"""URLs of the customer's requests (DOMAIN.md §14).

Two lists, one namespace (``requests``):

- ``urlpatterns``: the request forms, mounted at ``/requests/``;
- ``account_urlpatterns``: "My requests", mounted at ``/account/requests/``.

``site_urlpatterns`` mounts both at their paths in one include, so that both
reverse in the ``requests`` namespace (two includes with the same namespace
would hide one another)::

    path("", include(site_urlpatterns)),   # in config/urls.py, instead of "requests/"

The request forms take what they are about in the query string:
``/requests/cancellation/?seat=<id>`` (or ``?item=<id>`` for a whole purchase, or
``?enrollment=<id>``), ``/requests/learner-change/?seat=<id>``,
``/requests/date-change/?enrollment=<id>``.
"""

from django.urls import include, path

from . import views

app_name = "requests"

urlpatterns = [
    path("type-change/", views.type_change_request, name="type_change"),
    path("cancellation/", views.cancellation_request, name="cancellation"),
    path("learner-change/", views.learner_change_request, name="learner_change"),
    path("date-change/", views.date_change_request, name="date_change"),
]

account_urlpatterns = [
    path("", views.my_requests, name="my_requests"),
]

site_urlpatterns = (
    [
        path("requests/", include(urlpatterns)),
        path("account/requests/", include(account_urlpatterns)),
    ],
    app_name,
)
