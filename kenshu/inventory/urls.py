"""Inventory pages at their public paths (DOMAIN.md §14; mounted at the site root):
/purchase/…, /account/inventory/…, /account/group/…, /account/invitation/…"""

from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("purchase/session/<int:pk>/", views.purchase_session, name="purchase_session"),
    path("purchase/course/<str:code>/", views.purchase_course, name="purchase_course"),
    path("purchase/done/<int:pk>/", views.purchase_done, name="purchase_done"),
    path("account/inventory/", views.my_inventory, name="my_inventory"),
    path("account/inventory/learners-template.csv", views.bulk_template, name="bulk_template"),
    path("account/inventory/<int:pk>/", views.item_detail, name="item_detail"),
    path("account/inventory/<int:pk>/assign/", views.assign_learner, name="assign_learner"),
    path(
        "account/inventory/<int:pk>/assign-colleague/",
        views.assign_colleague,
        name="assign_colleague",
    ),
    path("account/inventory/<int:pk>/bulk/", views.bulk_upload, name="bulk_upload"),
    path("account/inventory/<int:pk>/bulk/confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("account/inventory/<int:pk>/seats.csv", views.seats_export, name="seats_export"),
    # Refused with 403 and audited, always (R-TYPE, R-CANCEL-1).
    path(
        "account/inventory/<int:pk>/cancel/",
        views.inventory_cancel_refused,
        name="inventory_cancel_refused",
    ),
    path(
        "account/inventory/<int:pk>/seats/<int:seat>/unassign/",
        views.seat_unassign_refused,
        name="seat_unassign_refused",
    ),
    path("account/group/", views.my_group, name="my_group"),
    path(
        "account/group/<int:pk>/resend-invitation/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "account/invitation/<str:uidb36>/<str:token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
]
