from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuestviewConfig(AppConfig):
    name = "guestview"
    verbose_name = _("Guests")
