"""Staff pages of inventory, mounted at /staff/inventory/."""

from django.urls import path

from . import staff_views

app_name = "inventory_staff"

urlpatterns = [
    path("", staff_views.item_list, name="item_list"),
    path("purchase/", staff_views.proxy_purchase, name="proxy_purchase"),
    path("<int:pk>/", staff_views.item_detail, name="item_detail"),
    path("<int:pk>/unassign/", staff_views.seat_unassign, name="seat_unassign"),
    path("<int:pk>/reassign/", staff_views.seat_reassign, name="seat_reassign"),
    path("<int:pk>/reduce/", staff_views.seats_reduce, name="seats_reduce"),
]
