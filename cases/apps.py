from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("家庭档案")

    def ready(self) -> None:
        from .work import register_all

        register_all()
