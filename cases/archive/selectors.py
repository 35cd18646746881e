"""The archive's reads, each scoped to the user: the 临时档案 queue, 脱困库 / 注销库, stale files, destruction lists."""

from datetime import timedelta

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardship.access import scope_queryset
from hardship.models import Role

from ..models import CloseReason, ExitKind, Household, Status
from ..selectors import household_queryset
from .models import DestructionList
from .workflow import destruction_workflow

# Who reads the archive: the unions' staff and the discipline observers (never a third party: its
# access ends with its 复审).
ARCHIVE_READERS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF, Role.DISCIPLINE_OBSERVER)
# Who reads the centre's lists (临时档案 due, stale files, destruction lists): centre staff and observers.
CENTRE_READERS = (Role.CENTRE_STAFF, Role.DISCIPLINE_OBSERVER)


class Library:
    EXITED = "exited"
    CLOSED = "closed"
    CHOICES = ((EXITED, _("脱困库")), (CLOSED, _("注销库")))


def temporary_queue(*, user) -> QuerySet[Household]:
    """临时档案 past or within ``TEMPORARY_FILE_WARNING_DAYS`` of their deadline, the most overdue first."""
    horizon = timezone.localdate() + timedelta(days=settings.TEMPORARY_FILE_WARNING_DAYS)
    temporary = household_queryset(user=user, roles=CENTRE_READERS).filter(
        status=Status.FILED, temporary_until__isnull=False, confirmed_at__isnull=True, temporary_until__lte=horizon
    )
    return temporary.select_related("union").order_by("temporary_until", "id")


class ArchiveFilter(django_filters.FilterSet):
    """The search of 脱困库 and 注销库: by library, name, 身份证号, file number, reason and closing year."""

    library = django_filters.ChoiceFilter(label=_("档案库"), choices=Library.CHOICES, method="by_library",
                                          empty_label=_("全部（脱困库和注销库）"))  # fmt: skip
    name = django_filters.CharFilter(label=_("户主姓名"), field_name="head_name", lookup_expr="startswith")
    id_number = django_filters.CharFilter(label=_("身份证号"), method="by_id_number")
    file_number = django_filters.CharFilter(label=_("职工编号"), field_name="file_number")
    exit_kind = django_filters.ChoiceFilter(label=_("退出方式"), choices=ExitKind.choices, empty_label=_("全部"))
    close_reason = django_filters.ChoiceFilter(label=_("注销原因"), choices=CloseReason.choices, empty_label=_("全部"))
    year = django_filters.NumberFilter(label=_("关闭年度"), method="by_year", min_value=1990, max_value=2100)

    class Meta:
        model = Household
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():  # Bootstrap's look, as the other filter bars
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def by_library(self, queryset, _name, value):
        return queryset.filter(status=Status.EXITED if value == Library.EXITED else Status.CLOSED)

    def by_id_number(self, queryset, _name, value):
        value = value.strip().upper()
        return queryset.filter(members__id_number=value).distinct() if value else queryset

    def by_year(self, queryset, _name, value):
        year = int(value)
        exited = Q(status=Status.EXITED, exited_at__year=year)
        return queryset.filter(exited | Q(status=Status.CLOSED, closed_at__year=year))


def archive_search(*, user, params) -> ArchiveFilter:
    """脱困库 and 注销库: exited and closed files of the user's unions (destroyed ones included, anonymised)."""
    base = (
        household_queryset(user=user, roles=ARCHIVE_READERS)
        .filter(status__in=(Status.EXITED, Status.CLOSED))
        .select_related("union")
        .order_by("-id")
    )
    return ArchiveFilter(params, queryset=base)


def stale_unchanged(*, user) -> QuerySet[Household]:
    """Filed files not changed for a year (the national system's 一年未更新): the oldest first."""
    year_ago = timezone.now() - timedelta(days=365)
    filed = household_queryset(user=user, roles=CENTRE_READERS).filter(status=Status.FILED, updated_at__lt=year_ago)
    return filed.select_related("union").order_by("updated_at", "id")


def destruction_lists(*, user) -> QuerySet[DestructionList]:
    return scope_queryset(DestructionList.objects.all(), user, roles=CENTRE_READERS).select_related(
        "union", "submitted_by", "decided_by"
    )


def destruction_get(*, user, pk: int):
    """(the list, the actions this user sees on it): 404 outside the user's scope."""
    destruction = get_object_or_404(destruction_lists(user=user), pk=pk)
    return destruction, destruction_workflow.available_actions(destruction, user)
