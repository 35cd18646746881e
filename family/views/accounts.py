"""Sign-in by mobile number and a one-time code; linking a file or registering once the number is proven."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.workflow import ActionRefused

from ..auth import PENDING_PHONE_KEY, VERIFIED_PHONE_KEY, worker_sign_in, worker_sign_out
from ..forms import CodeForm, LinkForm, PhoneForm, RegisterForm
from ..services import accounts as svc


def _sent() -> str:
    """The same words for every well-formed number: known, unknown, linked or not (in the request's language:
    a module-level gettext would be the language of the import, Chinese, for everyone)."""
    return _("如果号码正确，验证码已发送到该手机，%(m)d 分钟内有效。") % {"m": settings.WORKER_CODE_TTL_SECONDS // 60}


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@login_not_required
def sign_in(request):
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            svc.code_send(phone=phone, ip=_ip(request))
        except ActionRefused as refusal:
            form.add_error(None, refusal)
        else:
            request.session[PENDING_PHONE_KEY] = phone
            messages.info(request, _sent())
            return redirect("family:verify")
    return render(request, "family/sign_in.html", {"form": form})


@login_not_required
def verify(request):
    phone = request.session.get(PENDING_PHONE_KEY)
    if not phone:
        return redirect("family:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if svc.code_verify(phone=phone, code=form.cleaned_data["code"], ip=_ip(request)):
            account = svc.account_for_phone(phone)
            if account is not None:
                worker_sign_in(request, account)
                return redirect("family:home")
            request.session.cycle_key()
            request.session.pop(PENDING_PHONE_KEY, None)
            request.session[VERIFIED_PHONE_KEY] = phone
            return redirect("family:start")
        form.add_error("code", _("验证码不正确或已失效，请重新获取。"))
    return render(request, "family/verify.html", {"form": form, "masked_phone": f"{phone[:3]}****{phone[-4:]}"})


@login_not_required
def start(request):
    """The number is proven and has no account: claim the file the union entered, or register."""
    phone = request.session.get(VERIFIED_PHONE_KEY)
    if not phone:
        return redirect("family:sign_in")
    which = request.POST.get("which") if request.method == "POST" else None
    link = LinkForm(request.POST if which == "link" else None, prefix="link")
    register = RegisterForm(request.POST if which == "register" else None, prefix="reg")
    form = link if which == "link" else register if which == "register" else None
    if form is not None and form.is_valid():
        try:
            if which == "link":
                account = svc.account_link(phone=phone, request=request, **form.cleaned_data)
            else:
                account = svc.account_register(phone=phone, request=request, **form.cleaned_data)
        except ActionRefused as refusal:
            form.add_error(None, refusal)
        else:
            worker_sign_in(request, account)
            messages.success(request, _("账号已建立，欢迎使用。"))
            return redirect("family:home")
    return render(request, "family/start.html", {"link": link, "register": register})


@login_not_required
@require_POST
def sign_out(request):
    worker_sign_out(request)
    return redirect("family:sign_in")
