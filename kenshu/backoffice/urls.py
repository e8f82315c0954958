"""The staff area, mounted at /staff/ (DOMAIN.md §11, §14)."""

from django.urls import path

from .views import dashboard, organisations, type_change_requests, users

app_name = "backoffice"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("users/", users.user_list, name="user_list"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
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
]
