"""The staff area, mounted at /staff/ (DOMAIN.md §11, §14).

Included before the other apps' staff modules (config/urls.py): the session pages
here (``sessions/``, ``sessions/<id>/…``) leave ``sessions/<id>/waiting-list/`` to
kenshu.enrollments.staff_urls, and nothing here is under ``requests/`` but the
type-change queue.
"""

from django.urls import path

from .views import (
    audit,
    dashboard,
    elearning,
    emails,
    organisations,
    people,
    sessions,
    type_change_requests,
    users,
)

app_name = "backoffice"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("users/", users.user_list, name="user_list"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("people/", people.person_search, name="person_search"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path(
        "requests/type-change/",
        type_change_requests.type_change_request_list,
        name="type_change_request_list",
    ),
    path(
        "requests/type-change/<int:pk>/",
        type_change_requests.type_change_request_detail,
        name="type_change_request_detail",
    ),
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/export/", sessions.session_range_export, name="session_range_export"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/export/", sessions.session_export, name="session_export"),
    path("sessions/<int:pk>/attendance/", sessions.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/confirm/", sessions.session_confirm, name="session_confirm"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("elearning/", elearning.elearning_completion, name="elearning_completion"),
    path("emails/", emails.email_list, name="email_list"),
    path("emails/<int:pk>/", emails.email_detail, name="email_detail"),
    path("emails/<int:pk>/resend/", emails.email_resend_view, name="email_resend"),
    path("audit/", audit.audit_list, name="audit_list"),
]
