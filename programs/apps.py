from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("帮扶项目与资金")

    def ready(self) -> None:
        # Not at the top: these modules import models, which exist only once the app registry is ready.
        from hardship.erasure import register as register_erasure
        from hardship.exports import register_export
        from hardship.file_actions import register as register_file_action

        from . import audit_words, erasure, history, navigation
        from .assistance import history_import  # noqa: F401 — registers the past-payments register kind
        from .assistance import work as money_work
        from .assistance.selectors import can_apply_grant
        from .assistance.services import bank_file_job
        from .recovery.selectors import can_raise
        from .workstudy import work

        audit_words.register_all()
        history.register_all()
        work.register_all()
        money_work.register_all()
        navigation.register_all()
        register_export("bank_file", bank_file_job)
        register_file_action("raise_recovery", can_raise)
        register_file_action("apply_grant", can_apply_grant)
        register_erasure("programs", values=erasure.household_values, erase=erasure.household_rows_erase)
