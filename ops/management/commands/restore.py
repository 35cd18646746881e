"""``manage.py restore ARCHIVE``: an archive of ``manage.py backup`` into an empty database and media root.

The database is DATABASE_URL's and the media root MEDIA_ROOT: point both at new, empty ones (the
command refuses anything else). BACKUP_PASSPHRASE decrypts an encrypted archive. Prints one JSON line.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and an empty media root."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar or .tar.enc written by manage.py backup")

    def handle(self, *args, archive: str, **options):
        connection.close()  # restore talks to the database through its own connections
        try:
            result = backup_restore(archive=Path(archive), database=connection.settings_dict,
                                    media_root=Path(settings.MEDIA_ROOT),
                                    passphrase=settings.BACKUP_PASSPHRASE)  # fmt: skip
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))
