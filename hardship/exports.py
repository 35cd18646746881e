"""What each kind of export job writes: registered by its app, run by a worker (hardship.services).

An app registers ``register_export(kind, write)`` from its ``AppConfig.ready``; ``write(job, out,
progress)`` writes the whole file into the binary file ``out`` — streamed: rows read in chunks,
cells through ``hardship.spreadsheet``, an openpyxl write-only workbook or ``csv_write`` — calls
``progress(rows_done)`` now and then, and returns how many rows it wrote. It reads with
``job.owner`` as the acting user, so the file holds what the owner's pages show, nothing more.
This module knows nothing of the apps above it.
"""

from collections.abc import Callable
from typing import BinaryIO

from .models import ExportJob

Writer = Callable[[ExportJob, BinaryIO, Callable[[int], None]], int]

_WRITERS: dict[str, Writer] = {}


def register_export(kind: str, write: Writer) -> None:
    """Add (or replace) the writer of one kind; ``ready()`` may run more than once in tests."""
    _WRITERS[kind] = write


def export_writer(kind: str) -> Writer:
    return _WRITERS[kind]
