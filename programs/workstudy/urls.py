from django.urls import path

from . import views

app_name = "workstudy"

urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise_create"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise_edit"),
    path("seasons/new/", views.season_create, name="season_create"),
    path("seasons/<int:pk>/", views.season_detail, name="season_detail"),
    path("seasons/<int:pk>/match/", views.season_match, name="season_match"),
    path("seasons/<int:pk>/publish/", views.season_publish, name="season_publish"),
    path("seasons/<int:pk>/close/", views.season_close, name="season_close"),
    path("seasons/<int:pk>/results/", views.season_results, name="season_results"),
    path("seasons/<int:pk>/stats/", views.season_stats, name="season_stats"),
    path("seasons/<int:season_pk>/positions/new/", views.position_create, name="position_create"),
    path("seasons/<int:season_pk>/applications/new/", views.application_create, name="application_create"),
    path(
        "seasons/<int:season_pk>/applications/new-outstanding/",
        views.application_create_outstanding,
        name="application_create_outstanding",
    ),
    path("positions/<int:pk>/", views.position_detail, name="position_detail"),
    path("positions/<int:pk>/edit/", views.position_edit, name="position_edit"),
    path("positions/<int:pk>/withdraw/", views.position_withdraw, name="position_withdraw"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/assign/", views.application_assign, name="application_assign"),
    path("applications/<int:pk>/unassign/", views.application_unassign, name="application_unassign"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/confirm/", views.placement_confirm, name="placement_confirm"),
    path("placements/<int:pk>/earnings/", views.placement_earnings, name="placement_earnings"),
]
