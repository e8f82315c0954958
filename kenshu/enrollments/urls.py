"""Applying for oneself and My Account → enrolments, at their public paths
(DOMAIN.md §14; this module is mounted at the site root)."""

from django.urls import path

from kenshu.cancellation import views as cancellation_views

from . import views

app_name = "enrollments"

urlpatterns = [
    path("apply/session/<int:pk>/", views.apply_session, name="apply_session"),
    path(
        "apply/session/<int:pk>/waiting-list/",
        views.waiting_list_join,
        name="waiting_list_join",
    ),
    path(
        "apply/session/<int:pk>/waiting-list/withdraw/",
        views.waiting_list_withdraw,
        name="waiting_list_withdraw",
    ),
    path(
        "apply/session/<int:pk>/calendar.ics",
        views.session_calendar,
        name="session_calendar",
    ),
    path("apply/course/<str:code>/", views.apply_course, name="apply_course"),
    path("apply/done/<str:number>/", views.apply_done, name="apply_done"),
    path("account/enrollments/", views.my_enrollments, name="my_enrollments"),
    # Cancelling one's own enrolment (R-CANCEL-1, R-CANCEL-5): kenshu.cancellation's views.
    path(
        "account/enrollments/<int:pk>/cancel/",
        cancellation_views.enrollment_cancel_page,
        name="cancel",
    ),
    path(
        "account/enrollments/<int:pk>/cancel/done/",
        cancellation_views.enrollment_cancel_done,
        name="cancel_done",
    ),
]
