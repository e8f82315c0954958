"""Staff pages of a session's enrolments, mounted at /staff/sessions/."""

from django.urls import path

from . import staff_views

app_name = "enrollments_staff"

urlpatterns = [
    path("<int:pk>/waiting-list/", staff_views.waiting_list, name="waiting_list"),
]
