"""The family channel's audit verbs and change keys in words (registered in hardship.audit_words)."""

from django.utils.translation import gettext_lazy as _

from hardship.audit_words import register_keys
from hardship.audit_words import register_verbs as register

VERBS = {
    "worker.link": _("职工关联本人档案"),
    "worker.register": _("职工注册账号"),
    "worker.apply": _("职工网上申请"),
    "worker.correct": _("职工补正申请"),
    "worker.attachment_add": _("职工上传材料"),
    "worker.workstudy_apply": _("职工子女报名关爱·圆梦"),
    "worker.workstudy_confirm": _("职工子女确认岗位"),
}
KEYS = {"household": _("家庭档案"), "worker": _("职工账号")}


def register_all() -> None:
    register(VERBS)
    register_keys(KEYS)
