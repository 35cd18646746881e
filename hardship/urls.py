from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views

app_patterns = (
    [
        path("unions/", views.union_list, name="union_list"),
        path("unions/<int:pk>/", views.union_detail, name="union_detail"),
        path("audit/", views.audit_list, name="audit_list"),
        path("notifications/", views.notifications, name="notifications"),
        path("notifications/read/", views.notifications_read, name="notifications_read"),
        path("id-number/check/", views.id_number_check, name="id_number_check"),
        path("exports/", views.export_list, name="export_list"),
        path("exports/status/", views.export_status, name="export_status"),
        path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    ],
    "hardship",
)

# A lost database or broker connection answers 503 with its own page (hardship/errors.py).
handler500 = "hardship.errors.server_error"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.password_change, name="password_change"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", views.health, name="health"),  # the load balancer's check, as before
    path("", include("ops.urls")),  # /healthz/live, /healthz/ready, /metrics
    path("admin/", admin.site.urls),
    path("", include(app_patterns)),
    path("cases/", include("cases.urls")),
    path("programs/", include("programs.urls")),
    path("workstudy/", include("programs.workstudy.urls")),
    path("reports/", include("programs.reports.urls")),
    path("api/", include("api.urls")),
    path("family/", include("family.urls")),
]
# No route serves MEDIA_ROOT, in any setting (DEBUG included): attachments are personal data
# (ID-card photos …) and are downloaded only through cases:attachment_download, which checks scope.
