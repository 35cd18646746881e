"""The family's own channel: a worker's account (mobile number + one-time code) and the codes.

A worker is not a staff ``User``: no role, no union, no password. Their session carries only
``family.auth.SESSION_KEY`` (never Django's ``_auth_user_id``), so every staff page — guarded by
``LoginRequiredMiddleware`` and the role checks — sees an anonymous visitor and sends them to the
staff login, while the worker's pages (``family.auth.worker_required``) see only their own household.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.masking import mask_id_number, mask_phone


def id_number_digest(id_number: str) -> str:
    """A keyed hash of a 身份证号: the account proves who it is without keeping the number in clear."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def code_digest(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


class WorkerAccount(models.Model):
    """A worker (职工) who signs in with their mobile number; linked to the household they head."""

    # Read by the review machine (cases.review.workflow.ReviewWorkflow.holds): an actor of this kind
    # holds the 申请人 role on its own household only.
    is_worker = True
    is_authenticated = True

    phone = models.CharField(_("手机号码"), max_length=11, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number_hash = models.CharField(_("身份证号（摘要）"), max_length=64, unique=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭档案"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="worker_accounts",
    )  # fmt: skip
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        verbose_name = _("职工账号")
        verbose_name_plural = _("职工账号")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.name} {mask_phone(self.phone)}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def set_id_number(self, id_number: str) -> None:
        self.id_number_hash = id_number_digest(id_number)
        self.id_number_masked = mask_id_number(id_number.strip().upper())

    def id_number_matches(self, id_number: str) -> bool:
        return hmac.compare_digest(self.id_number_hash, id_number_digest(id_number))


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS: kept hashed, valid a few minutes, used once, a few tries."""

    phone = models.CharField(_("手机号码"), max_length=11)
    code_hash = models.CharField(_("验证码（摘要）"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")
        ordering = ["-id"]
        indexes = [models.Index(fields=["phone", "-id"], name="signin_code_phone")]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="signin_code_expires_later")
        ]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.created_at:%Y-%m-%d %H:%M}"
