from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("quarterly.xlsx", views.quarterly_return, name="quarterly_return"),
    path("exits.xlsx", views.exit_return, name="exit_return"),
]
