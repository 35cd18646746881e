"""What every request and response goes through: headers Django 5.2 does not set by itself (the
Content-Security-Policy, no-store caching) and the refusal of control characters in query parameters.

The policy: the templates load scripts and styles only from files under /static/ (no inline
<script>, no on…= handlers, no style= attributes; the dashboard's charts are SVG
with classes), so the policy allows 'self' only — no 'unsafe-inline' anywhere.
The one exception is the Swagger UI page of the read API: its template (from
drf-spectacular) carries a small inline <style> block, so that page alone may use
inline styles; its scripts stay 'self' only.
"""

import logging
import re
import time

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader


def _header(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        policy = dict(settings.CONTENT_SECURITY_POLICY)
        self.header = _header(policy)
        relaxed = {**policy, "style-src": [*policy.get("style-src", ["'self'"]), "'unsafe-inline'"]}
        self.relaxed_header = _header(relaxed)
        self.relaxed_paths = tuple(settings.CSP_INLINE_STYLE_PATHS)

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = self.relaxed_paths and request.path.startswith(self.relaxed_paths)
            response["Content-Security-Policy"] = self.relaxed_header if relaxed else self.header
        return response


# C0 control characters but tab, LF and CR, and DEL. PostgreSQL refuses NUL in a text value outright
# (a 500 from any search box or filter); the others are never typed, only pasted or forged.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
log = logging.getLogger("hardship.security")


def _has_control_character(query) -> bool:
    return any(
        CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(value) for value in values)
        for key, values in query.lists()
    )


class ControlCharacterMiddleware:
    """A query-string parameter (its name or a value) holding a control character is a 400, on every page.

    Query parameters reach selectors without a form (searches, filters, page numbers): this is their one
    check. Form bodies are the forms' to validate — Django's CharField refuses NUL, and the form page
    shows the message with the user's input kept (tests/hardening/test_fuzz_forms.py); upload names are
    cleaned by Django's parser. The page is rendered without the request, like the other error pages,
    in the language LocaleMiddleware chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control_character(request.GET):
            log.warning("400 for %s %s: a control character in a parameter", request.method, request.path)
            return HttpResponseBadRequest(loader.get_template("400.html").render({"control_characters": True}))
        return self.get_response(request)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every page the portal renders.

    Union offices share PCs: a signed-in page (a household file, a bank file download) must not be
    kept by the browser or a proxy for the next person at the desk. Static files never reach this
    middleware (whitenoise answers them before it, with their own long-lived caching); the few
    pages anyone may see (login, health) carry it too, which costs nothing and keeps the rule one line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store, private"
        return response


class IdleSessionMiddleware:
    """Sessions end after ``SESSION_COOKIE_AGE`` idle: each page pushes the expiry forward, at most once a minute.

    Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) costs a write and a commit per
    page — three of a household file's queries and most of its database time. Here a signed-in page
    marks the session modified (so SessionMiddleware saves it, expiry = now + the age) only when its
    expiry was last pushed ``REFRESH_SECONDS`` ago or more: an idle session ends between 119 and 120
    minutes after the last page, never later. Placed below SessionMiddleware; a session nothing read
    (``/healthz``, static files) is left alone.
    """

    REFRESH_SECONDS = 60
    KEY = "_expiry_pushed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= self.REFRESH_SECONDS:
            session[self.KEY] = now
        return response
