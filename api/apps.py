from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The read API: households and their payments, read through the apps' scoped selectors.

    It sits above ``cases`` and ``programs`` (it imports both); nothing imports it but the root URLconf.
    """

    name = "api"
    verbose_name = _("数据接口")

    def ready(self) -> None:
        # Not at the top: these modules import models, which exist only once the app registry is ready.
        from . import audit_words

        audit_words.register_all()
