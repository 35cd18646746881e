"""Household files to and from Excel: the import template, the all-or-nothing import, the masked export."""

from .export import households_export_xlsx
from .importer import DRAFTS, ImportRejected, ImportResult, RowError, check_file, households_import, stage_errors
from .template import households_template_xlsx

__all__ = [
    "DRAFTS",
    "ImportRejected",
    "ImportResult",
    "RowError",
    "check_file",
    "households_export_xlsx",
    "households_import",
    "households_template_xlsx",
    "stage_errors",
]
