from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardshipConfig(AppConfig):
    name = "hardship"
    verbose_name = _("平台基础")

    def ready(self) -> None:
        # Not at the top: these modules import models, which exist only once the app registry is ready.
        from . import audit_words, navigation, signals  # noqa: F401

        audit_words.register_all()
        navigation.register_all()
