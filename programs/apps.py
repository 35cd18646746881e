from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("帮扶项目与资金")

    def ready(self) -> None:
        from hardship import work
        from hardship.models import Role

        from .workstudy.work import centre_staff_items, enterprise_contact_items

        work.register(Role.CENTRE_STAFF, centre_staff_items)
        work.register(Role.ENTERPRISE_CONTACT, enterprise_contact_items)
