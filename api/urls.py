"""/api/: the router, the OpenAPI schema and its docs (Swagger UI from the sidecar package, no CDN).

LoginRequiredMiddleware would redirect an API client to the login page; these views
authenticate by token instead and answer 401/403 JSON, so each is marked login_not_required.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from .views import HouseholdViewSet

app_name = "api"

router = DefaultRouter()
router.register("households", HouseholdViewSet, basename="household")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
