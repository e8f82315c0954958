"""The staff pages of requests, mounted at /staff/requests/ (namespace
``requests_staff``). The type-change queue stays at /staff/requests/type-change/
(``backoffice``); the queue here lists every kind."""

from django.urls import path

from . import staff_views

app_name = "requests_staff"

urlpatterns = [
    path("", staff_views.request_queue, name="request_queue"),
    path(
        "cancellation/new/",
        staff_views.cancellation_request_new,
        name="cancellation_request_new",
    ),
    path(
        "cancellation/<int:pk>/",
        staff_views.cancellation_request_detail,
        name="cancellation_request_detail",
    ),
    path(
        "learner-change/<int:pk>/",
        staff_views.learner_change_request_detail,
        name="learner_change_request_detail",
    ),
    path(
        "date-change/<int:pk>/",
        staff_views.date_change_request_detail,
        name="date_change_request_detail",
    ),
]
