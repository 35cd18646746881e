from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardshipConfig(AppConfig):
    name = "hardship"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        # Not at the top: these modules import models, which exist only once the app registry is ready.
        from . import audit_words, erasure, navigation, signals  # noqa: F401

        audit_words.register_all()
        # The audit trail: the events on the household keep their verbs and times, not its names.
        erasure.register("audit", erase=erasure.audit_erase)
        navigation.register_all()
