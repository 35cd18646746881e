"""Every write in 关爱·圆梦: one function per action; each locks, checks, writes and audits in one transaction.

Lock order, so that two actions never wait on each other: the season first,
then the application and its placement, then positions by id.
"""

from hardship.money import CENT, money

from .applications import (
    StudentDetails,
    application_register,
    application_register_by_family,
    application_register_outstanding,
)
from .common import OTHER_GROUP, OUTSTANDING_GROUP, TIER_GROUP, group_of
from .placements import placement_accept_by_family, placement_confirm, placement_record_earnings
from .results import placement_assign, placement_unassign, season_close, season_publish, season_run_matching
from .setup import (
    enterprise_create,
    enterprise_update,
    position_create,
    position_update,
    position_withdraw,
    season_create,
)

__all__ = [
    "CENT",
    "OTHER_GROUP",
    "OUTSTANDING_GROUP",
    "TIER_GROUP",
    "StudentDetails",
    "application_register",
    "application_register_by_family",
    "application_register_outstanding",
    "enterprise_create",
    "enterprise_update",
    "group_of",
    "money",
    "placement_accept_by_family",
    "placement_assign",
    "placement_confirm",
    "placement_record_earnings",
    "placement_unassign",
    "position_create",
    "position_update",
    "position_withdraw",
    "season_close",
    "season_create",
    "season_publish",
    "season_run_matching",
]
