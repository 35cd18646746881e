from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamilyConfig(AppConfig):
    name = "family"
    verbose_name = _("职工自助")

    def ready(self) -> None:
        # Not at the top: audit_words imports models, which exist only once the app registry is ready.
        from hardship.erasure import register as register_erasure

        from . import audit_words, erasure

        audit_words.register_all()
        register_erasure("family", values=erasure.household_values, erase=erasure.household_rows_erase)
