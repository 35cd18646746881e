"""The API's audit verbs in words (registered in hardship.audit_words)."""

from django.utils.translation import gettext_lazy as _

from hardship.audit_words import register_verbs


def register_all() -> None:
    register_verbs({"api.token_issue": _("签发接口令牌")})
