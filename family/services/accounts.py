"""Worker accounts and their one-time sign-in codes.

A code is six digits, kept hashed, valid ``WORKER_CODE_TTL_SECONDS`` (5 minutes), used once, and
refused after ``WORKER_CODE_MAX_ATTEMPTS`` wrong tries. Sending is limited per number (one a
minute, ``WORKER_CODES_PER_PHONE_HOUR`` an hour) and per address (``WORKER_CODES_PER_IP_HOUR``),
counted in Django's cache. A code is sent to any well-formed number, known or not — the answer
never tells whether a number has an account or a file; what follows the code is the same page
for everyone until the number is proven (sign in, or link / register).
"""

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import NOT_LIVE_STATUSES, Household
from hardship.identity import parse_id_number
from hardship.services import audit_record
from hardship.sms import sms_send
from hardship.workflow import ActionRefused

from ..models import SignInCode, WorkerAccount, code_digest, id_number_digest

PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not PHONE.match(phone):
        raise ValidationError(_("请输入 11 位手机号码。"), code="phone")
    return phone


def _count(key: str, limit: int, seconds: int) -> bool:
    """Count one more use of ``key`` in the window; False once ``limit`` is passed."""
    cache.add(key, 0, seconds)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        used = 1
    return used <= limit


def code_send(*, phone: str, ip: str | None) -> None:
    """Send a sign-in code to ``phone`` (any well-formed number). Refused only by the rate limits."""
    phone = normalise_phone(phone)
    if cache.get(f"family:code:recent:{phone}"):
        raise ActionRefused(_("验证码已发送，请 1 分钟后再试。"), code="too_soon")
    if not _count(f"family:code:ip:{ip or '-'}", settings.WORKER_CODES_PER_IP_HOUR, 3600):
        raise ActionRefused(_("发送次数过多，请 1 小时后再试。"), code="ip_limit")
    if not _count(f"family:code:phone:{phone}", settings.WORKER_CODES_PER_PHONE_HOUR, 3600):
        raise ActionRefused(_("该号码今日获取验证码次数过多，请 1 小时后再试。"), code="phone_limit")
    cache.set(f"family:code:recent:{phone}", 1, settings.WORKER_CODE_INTERVAL_SECONDS)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        # A new code replaces the older ones: only the latest can be used.
        SignInCode.objects.filter(phone=phone, used_at__isnull=True).update(expires_at=now + timedelta(microseconds=1))
        SignInCode.objects.create(
            phone=phone,
            code_hash=code_digest(phone, code),
            expires_at=now + timedelta(seconds=settings.WORKER_CODE_TTL_SECONDS),
        )
    minutes = settings.WORKER_CODE_TTL_SECONDS // 60
    text = _("【工会帮扶】您的登录验证码是 %(c)s，%(m)d 分钟内有效。请勿告诉他人。") % {"c": code, "m": minutes}
    # Once the code's row is written (the block above has committed: the view runs outside a transaction),
    # and never raising (hardship.sms): a provider outage is a code that does not arrive, not a 500. Not
    # queued to Celery: the code would sit in the broker in clear, and a worker waits for it now.
    sms_send(phone=phone, text=text)


def code_verify(*, phone: str, code: str, ip: str | None) -> bool:
    """Whether ``code`` is the valid latest code of ``phone``; a right code is used up, a wrong one counted."""
    phone = normalise_phone(phone)
    code = (code or "").strip()
    if not _count(
        f"family:verify:ip:{ip or '-'}", settings.WORKER_CODES_PER_IP_HOUR * settings.WORKER_CODE_MAX_ATTEMPTS, 3600
    ):
        return False
    with transaction.atomic():
        latest = SignInCode.objects.select_for_update().filter(phone=phone).order_by("-id").first()
        now = timezone.now()
        if latest is None or latest.used_at is not None or latest.expires_at <= now:
            return False
        if latest.attempts >= settings.WORKER_CODE_MAX_ATTEMPTS:
            return False
        if not (re.fullmatch(r"\d{6}", code) and secrets.compare_digest(latest.code_hash, code_digest(phone, code))):
            latest.attempts += 1
            latest.save(update_fields=["attempts"])
            return False
        latest.used_at = now
        latest.save(update_fields=["used_at"])
        return True


# A spent code (expired or used) is kept this long for a look at a sign-in complaint, then deleted.
SPENT_CODES_KEPT = timedelta(days=1)


def sign_in_codes_purge(*, now=None) -> int:
    """Beat: delete the sign-in codes that expired or were used more than a day ago (a hash of six digits
    and a phone number serve nobody after that). The rate limits live in the cache, not in these rows."""
    cutoff = (now or timezone.now()) - SPENT_CODES_KEPT
    deleted, _by_model = SignInCode.objects.filter(Q(expires_at__lte=cutoff) | Q(used_at__lte=cutoff)).delete()
    return deleted


def account_for_phone(phone: str) -> WorkerAccount | None:
    return WorkerAccount.objects.filter(phone=phone, is_active=True).first()


def _live_file_headed_by(id_number: str):
    return Household.objects.exclude(status__in=NOT_LIVE_STATUSES).filter(head_id_number=id_number).first()


def account_link(*, phone: str, id_number: str, request=None) -> WorkerAccount:
    """A worker whose file the union entered claims it: the 户主's 身份证号 and the phone on the file."""
    number = parse_id_number(id_number).number
    household = _live_file_headed_by(number)
    if household is None or household.phone.replace(" ", "") != phone:
        raise ActionRefused(
            _("没有找到户主身份证号和联系电话都与您填写的一致的档案。请核对，或联系所在工会更新档案上的电话。"),
            code="no_file",
        )
    return _account_create(phone=phone, name=household.head_name, id_number=number, household=household,
                           verb="worker.link", request=request)  # fmt: skip


def account_register(*, phone: str, name: str, id_number: str, request=None) -> WorkerAccount:
    """A new applicant: name, 身份证号 (checked: GB 11643) and the verified phone; no file yet."""
    number = parse_id_number(id_number).number
    name = (name or "").strip()
    if not name:
        raise ActionRefused(_("请填写姓名。"), code="name")
    household = _live_file_headed_by(number)
    if household is not None and household.phone.replace(" ", "") == phone:
        household_link = household  # the file is theirs: registering links it
    elif household is not None:
        raise ActionRefused(
            _("您已有一份由工会录入的档案，但档案上的电话不是这个号码。请联系所在工会更新电话后再关联。"),
            code="file_elsewhere",
        )
    else:
        household_link = None
    return _account_create(phone=phone, name=name, id_number=number, household=household_link,
                           verb="worker.register", request=request)  # fmt: skip


def _account_create(*, phone, name, id_number, household, verb, request) -> WorkerAccount:
    if WorkerAccount.objects.filter(id_number_hash=id_number_digest(id_number)).exists():
        raise ActionRefused(_("该身份证号已经注册过账号，请用注册时的手机号登录。"), code="id_taken")
    account = WorkerAccount(phone=phone, name=name[:50], household=household)
    account.set_id_number(id_number)
    try:
        with transaction.atomic():
            account.save()
            audit_record(actor=None, verb=verb, target=account, union=household.union if household else None,
                         changes={"phone": (None, phone), "household": (None, str(household.pk) if household else "")},
                         request=request)  # fmt: skip
    except IntegrityError as exc:
        raise ActionRefused(_("该手机号或身份证号已经注册过账号。"), code="taken") from exc
    return account
