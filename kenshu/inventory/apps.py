from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "kenshu.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from kenshu.enrollments.seats import register_seat_counter

        from .seats import live_inventory_seats

        register_seat_counter(live_inventory_seats)
