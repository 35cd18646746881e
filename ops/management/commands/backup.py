"""``manage.py backup``: one dated, checksummed archive of the database and the attachments.

    python manage.py backup [--dir /srv/portal/backups] [--keep-days 14]

BACKUP_PASSPHRASE in the environment encrypts it. Prints one JSON line (bytes, seconds,
households, ledger_sum, …) for the log or the monitoring that runs it.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and the media storage into one checksummed archive."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.BACKUP_DIR), help="where archives are kept")
        parser.add_argument("--keep-days", type=int, default=settings.BACKUP_KEEP_DAYS,
                            help="delete archives older than this many days")  # fmt: skip

    def handle(self, *args, dir: str, keep_days: int, **options):
        try:
            result = backup_create(database=connection.settings_dict, media_root=Path(settings.MEDIA_ROOT),
                                   directory=Path(dir), passphrase=settings.BACKUP_PASSPHRASE,
                                   keep_days=keep_days)  # fmt: skip
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))
