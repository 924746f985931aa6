from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpiralenConfig(AppConfig):
    name = "spiralen"
    verbose_name = _("Spiralen")
