"""Staff pages of cancelling, mounted at /staff/cancellation/."""

from django.urls import path

from . import staff_views

app_name = "cancellation_staff"

urlpatterns = [
    path("closures/", staff_views.closure_list, name="closure_list"),
    path("closures/add/", staff_views.closure_add, name="closure_add"),
    path("closures/<int:pk>/remove/", staff_views.closure_remove, name="closure_remove"),
    path("policies/", staff_views.policy_list, name="policy_list"),
]
