"""Response headers Django 5.2 does not set by itself: the Content-Security-Policy.

The templates load scripts and styles only from files under /static/ (no inline
<script>, no on…= handlers, no style= attributes; the dashboard's charts are SVG
with classes), so the policy allows 'self' only — no 'unsafe-inline' anywhere.
The one exception is the Swagger UI page of the read API: its template (from
drf-spectacular) carries a small inline <style> block, so that page alone may use
inline styles; its scripts stay 'self' only.
"""

from django.conf import settings


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
