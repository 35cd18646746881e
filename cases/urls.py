from django.urls import path

from . import views
from .archive.views import archive_urlpatterns
from .changes.views import change_urlpatterns
from .crosscheck.views import crosscheck_urlpatterns
from .register.views import register_urlpatterns
from .review import views as views_review
from .support.views import support_urlpatterns
from .tickets.views import ticket_urlpatterns
from .views_excel import excel_urlpatterns

app_name = "cases"

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create, name="household_create"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/unmask/", views.household_unmask, name="household_unmask"),
    path("<int:pk>/print/", views.household_print, name="household_print"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path("<int:pk>/review/<slug:name>/", views_review.review_action, name="review_action"),
    path("<int:pk>/visits/<slug:step>/", views_review.visit_create, name="visit_create"),
    path("<int:pk>/monthly-income/", views_review.monthly_income_add, name="monthly_income_add"),
    path("review/", views_review.review_queue, name="review_queue"),
    path("notice/", views_review.notice_list, name="notice_list"),
    path("standards/", views.standard_list, name="standard_list"),
    path("standards/new/", views.standard_create, name="standard_create"),
    *archive_urlpatterns,
    *change_urlpatterns,
    *crosscheck_urlpatterns,
    *excel_urlpatterns,
    *register_urlpatterns,
    *support_urlpatterns,
    *ticket_urlpatterns,
]
