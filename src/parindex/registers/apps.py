from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "parindex.registers"
    verbose_name = _("Registers")

    def ready(self):
        from parindex.registers import bindings

        bindings.connect()
