"""关爱·圆梦 pages: thin views — selector → form → service → message → redirect."""

from .applications import (
    application_assign,
    application_create,
    application_create_outstanding,
    application_detail,
    application_unassign,
)
from .enterprises import (
    enterprise_create,
    enterprise_detail,
    enterprise_edit,
    enterprise_list,
    position_create,
    position_detail,
    position_edit,
    position_withdraw,
)
from .placements import placement_confirm, placement_detail, placement_earnings
from .seasons import (
    home,
    season_close,
    season_create,
    season_detail,
    season_match,
    season_publish,
    season_results,
    season_stats,
)

__all__ = [
    "application_assign",
    "application_create",
    "application_create_outstanding",
    "application_detail",
    "application_unassign",
    "enterprise_create",
    "enterprise_detail",
    "enterprise_edit",
    "enterprise_list",
    "home",
    "placement_confirm",
    "placement_detail",
    "placement_earnings",
    "position_create",
    "position_detail",
    "position_edit",
    "position_withdraw",
    "season_close",
    "season_create",
    "season_detail",
    "season_match",
    "season_publish",
    "season_results",
    "season_stats",
]
