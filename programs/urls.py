from django.urls import path

from .assistance import views
from .recovery.views import recovery_urlpatterns

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("<int:pk>/standards/new/", views.program_standard_create, name="program_standard_create"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/start/", views.batch_start, name="batch_start"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="batch_progress"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("batches/<int:pk>/reject/", views.batch_reject, name="batch_reject"),
    path("batches/<int:pk>/recompute/", views.batch_recompute, name="batch_recompute"),
    path("batches/<int:pk>/release-lock/", views.batch_release_lock, name="batch_release_lock"),
    path("batches/<int:pk>/freeze-retry/", views.batch_freeze_retry, name="batch_freeze_retry"),
    path("batches/<int:pk>/bank-file/", views.batch_bank_file, name="batch_bank_file"),
    path("batches/<int:pk>/reconcile/", views.batch_reconcile, name="batch_reconcile"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:pk>/allocate/", views.ledger_allocate, name="ledger_allocate"),
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/apply/<int:household_id>/", views.grant_apply, name="grant_apply"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    *recovery_urlpatterns,
]
