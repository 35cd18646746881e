"""「我的工作」 items for 关爱·圆梦: what waits on centre staff and on enterprise contacts."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hardship.models import Role
from hardship.work import WorkItem, register

from . import selectors
from .models import PlacementStatus, Result, SeasonStatus


def centre_staff_items(user) -> list[WorkItem]:
    seasons = selectors.season_queryset(user=user)
    url = reverse("workstudy:home")
    pending = selectors.application_queryset(user=user).filter(
        result=Result.PENDING, season__status__in=(SeasonStatus.OPEN, SeasonStatus.MATCHED)
    )
    return [
        WorkItem(_("关爱·圆梦：等待匹配的报名"), pending.count(), url),
        WorkItem(_("关爱·圆梦：匹配结果待发布"), seasons.filter(status=SeasonStatus.MATCHED).count(), url),
    ]


def enterprise_contact_items(user) -> list[WorkItem]:
    placements = selectors.placement_queryset(user=user).exclude(season__status=SeasonStatus.CLOSED)
    url = reverse("workstudy:home")
    return [
        WorkItem(_("勤工助学：待确认上岗的学生"), placements.filter(status=PlacementStatus.PUBLISHED).count(), url),
        WorkItem(_("勤工助学：待登记出勤和报酬"), placements.filter(status=PlacementStatus.CONFIRMED).count(), url),
    ]


def register_all() -> None:
    register(Role.CENTRE_STAFF, centre_staff_items)
    register(Role.ENTERPRISE_CONTACT, enterprise_contact_items)
