from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("家庭档案")

    def ready(self) -> None:
        # Not at the top: these modules import models, which exist only once the app registry is ready.
        from hardship.erasure import register as register_erasure
        from hardship.exports import register_export
        from hardship.notify import register_delivery

        from . import audit_words, navigation, work
        from .archive import erasure
        from .excel.export import households_export_job
        from .notices.services import family_notification_deliver
        from .register import drafts, households  # noqa: F401 — register the household kinds (register, 新建档案)

        register_delivery(family_notification_deliver)

        audit_words.register_all()
        work.register_all()
        navigation.register_all()
        register_export("households", households_export_job)
        register_erasure("cases", values=erasure.household_values, erase=erasure.household_rows_erase)
