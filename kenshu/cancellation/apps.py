from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CancellationConfig(AppConfig):
    name = "kenshu.cancellation"
    label = "cancellation"
    verbose_name = _("Cancellation policy")
