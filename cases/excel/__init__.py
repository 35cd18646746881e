"""Household files to and from Excel: the import template, the all-or-nothing import, the masked export."""

from .export import households_export_xlsx
from .importer import ImportResult, RowError, households_import
from .template import households_template_xlsx

__all__ = ["ImportResult", "RowError", "households_export_xlsx", "households_import", "households_template_xlsx"]
