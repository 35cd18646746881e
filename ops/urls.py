from django.urls import path

from . import views

urlpatterns = [
    path("healthz/live", views.live, name="health_live"),
    path("healthz/ready", views.ready, name="health_ready"),
    path("metrics", views.metrics, name="metrics"),
]
