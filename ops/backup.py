"""One archive holds the whole portal: the PostgreSQL dump and the attachments (media storage).

    portal-20260105T020000Z.tar[.enc]          the archive (a tar; .enc when encrypted)
    portal-20260105T020000Z.tar[.enc].sha256   its checksum, in ``sha256sum -c`` format

Inside the tar: ``database.dump`` (``pg_dump -Fc``), ``media/…`` (every file of the media root)
and, last, ``manifest.json`` with the sha256 and size of each of them plus the households count
and the ledger sum *of the dumped snapshot*: the counts are read in the very transaction whose
snapshot pg_dump exports (``--snapshot``), so they describe the dump exactly, however busy the
portal is meanwhile. Media is copied after the dump: attachments are only ever added, so every
row in the dump finds its file (a file uploaded meanwhile is carried without a row, harmlessly).

Encryption (optional): with a passphrase the tar is streamed through ``openssl enc -aes-256-cbc
-pbkdf2`` (the machine's openssl: nothing to install, and it streams, so a large archive never
sits in memory). Integrity is the sha256 sidecar (the archive as stored) and the manifest (every
file inside); restore checks both before it writes a row.

Restore refuses a database that already has tables and a media root that has files: it never
merges into, or overwrites, a live portal.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath

import psycopg2
from psycopg2 import extensions

from cases.models import Household
from programs.assistance.models import LedgerEntry

PREFIX = "portal-"
STAMP = "%Y%m%dT%H%M%SZ"
DUMP = "database.dump"
MANIFEST = "manifest.json"
MEDIA = "media"
CHUNK = 1024 * 1024
# OpenSSL writes this before the salt: how restore tells an encrypted archive from a plain one.
OPENSSL_MAGIC = b"Salted__"
OPENSSL_CIPHER = ["-aes-256-cbc", "-salt", "-pbkdf2", "-iter", "600000", "-pass", "env:PORTAL_BACKUP_PASSPHRASE"]


class BackupError(Exception):
    """The backup or restore could not be made or checked; the message says what to do."""


def libpq_env(database: dict) -> dict:
    """The environment pg_dump / pg_restore need for a Django DATABASES entry."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                      ("NAME", "PGDATABASE")):  # fmt: skip
        if database.get(key):
            env[name] = str(database[key])
    return env


def _connect(database: dict):
    _require_postgres(database)
    params = {"dbname": database["NAME"], "user": database.get("USER"), "password": database.get("PASSWORD"),
              "host": database.get("HOST"), "port": database.get("PORT")}  # fmt: skip
    return psycopg2.connect(**{key: value for key, value in params.items() if value})


def _require_postgres(database: dict) -> None:
    if "postgresql" not in database["ENGINE"]:
        raise BackupError("backup and restore need PostgreSQL (DATABASE_URL); the SQLite trial is a file to copy")


def _figures(cursor) -> dict:
    cursor.execute(f"SELECT count(*) FROM {Household._meta.db_table}")  # noqa: S608 — a model's table name
    households = cursor.fetchone()[0]
    cursor.execute(f"SELECT coalesce(sum(amount), 0) FROM {LedgerEntry._meta.db_table}")  # noqa: S608
    return {"households": households, "ledger_sum": str(Decimal(cursor.fetchone()[0]).quantize(Decimal("0.01")))}


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """A file wrapper that hashes what tarfile reads from it."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        block = self.handle.read(size)
        self.digest.update(block)
        return block


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as handle:
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "bytes": info.size, "sha256": reader.digest.hexdigest()}


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.exists():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


def backup_create(*, database: dict, media_root: Path, directory: Path, passphrase: str = "", keep_days: int = 14,
                  now: datetime | None = None) -> dict:  # fmt: skip
    """Write one dated, checksummed (and, with a passphrase, encrypted) archive; prune old ones."""
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{PREFIX}{now:{STAMP}}.tar" + (".enc" if passphrase else "")
    archive = directory / name
    if archive.exists():
        raise BackupError(f"{archive} exists already")
    partial = directory / f".{name}.partial"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        connection = _connect(database)
        try:
            # The snapshot pg_dump dumps is the one these counts are read in.
            connection.set_session(isolation_level=extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                figures = _figures(cursor)
                _run(["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dump)], env=libpq_env(database))
        finally:
            connection.close()
        _write_tar(partial, dump=dump, media_root=media_root, figures=figures, created=now, passphrase=passphrase)
    checksum = _sha256_file(partial)
    partial.rename(archive)
    Path(f"{archive}.sha256").write_text(f"{checksum}  {name}\n", encoding="ascii")
    pruned = backup_prune(directory=directory, keep_days=keep_days, now=now, keep=archive)
    seconds = round(time.perf_counter() - started, 2)
    return {"archive": str(archive), "bytes": archive.stat().st_size, "seconds": seconds, **figures,
            "sha256": checksum, "encrypted": bool(passphrase), "pruned": pruned}  # fmt: skip


def _write_tar(path: Path, *, dump: Path, media_root: Path, figures: dict, created: datetime, passphrase: str) -> None:
    with path.open("wb") as out:
        cipher = None
        if passphrase:
            cipher = subprocess.Popen(  # the passphrase goes in the environment, never the command line
                ["openssl", "enc", *OPENSSL_CIPHER], stdin=subprocess.PIPE, stdout=out,
                env={**os.environ, "PORTAL_BACKUP_PASSPHRASE": passphrase},
            )  # fmt: skip
        stream = cipher.stdin if cipher else out
        try:
            with tarfile.open(fileobj=stream, mode="w|") as tar:
                database = _add_file(tar, dump, DUMP)
                media = [_add_file(tar, file, f"{MEDIA}/{file.relative_to(media_root).as_posix()}")
                         for file in _media_files(media_root)]  # fmt: skip
                manifest = json.dumps({"format": 1, "created_at": created.isoformat(), **figures,
                                       "database": database, "media": media}, indent=1).encode()  # fmt: skip
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(manifest), int(created.timestamp())
                tar.addfile(info, _BytesReader(manifest))
        finally:
            if cipher:
                cipher.stdin.close()
                if cipher.wait() != 0:
                    raise BackupError("openssl could not encrypt the archive")


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size=-1):
        end = len(self.data) if size < 0 else self.offset + size
        block, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return block


def backup_prune(*, directory: Path, keep_days: int, now: datetime, keep: Path) -> int:
    """Delete archives (and their checksums) dated more than ``keep_days`` before ``now``."""
    pruned = 0
    for path in directory.glob(f"{PREFIX}*.tar*"):
        if path == keep or path.name.endswith(".sha256"):
            continue
        try:
            dated = datetime.strptime(path.name[len(PREFIX) :].split(".")[0], STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours
        if now - dated > timedelta(days=keep_days):
            path.unlink()
            Path(f"{path}.sha256").unlink(missing_ok=True)
            pruned += 1
    return pruned


def _run(command: list[str], *, env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _verify_checksum(archive: Path) -> int:
    sidecar = Path(f"{archive}.sha256")
    if not sidecar.exists():
        raise BackupError(f"{sidecar} is missing: the archive cannot be checked")
    expected = sidecar.read_text(encoding="ascii").split()[0]
    if _sha256_file(archive) != expected:
        raise BackupError(f"{archive} does not match its sha256: the archive is damaged")
    return archive.stat().st_size


def database_is_empty(database: dict) -> bool:
    connection = _connect(database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = 'public'")  # fmt: skip
            return cursor.fetchone()[0] == 0
    finally:
        connection.close()


def _safe_member(member: tarfile.TarInfo) -> PurePosixPath:
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"unexpected entry {member.name!r} in the archive")
    return name


def backup_restore(*, archive: Path, database: dict, media_root: Path, passphrase: str = "") -> dict:
    """Restore an archive into an empty database and an empty media root, checking every checksum."""
    started = time.perf_counter()
    size = _verify_checksum(archive)
    if not database_is_empty(database):
        raise BackupError(f"database {database['NAME']} is not empty: restore only into a new, empty database")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"media root {media_root} is not empty: restore only into a new, empty directory")
    with archive.open("rb") as handle:
        encrypted = handle.read(len(OPENSSL_MAGIC)) == OPENSSL_MAGIC
    if encrypted and not passphrase:
        raise BackupError("the archive is encrypted: set BACKUP_PASSPHRASE")
    media_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as work:
        try:
            manifest, found = _extract(archive, Path(work), media_root, passphrase if encrypted else "")
            _check_manifest(manifest, found)
        except BaseException:
            _empty(media_root)  # nothing half-restored is left behind
            raise
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "-d", database["NAME"], str(Path(work) / DUMP)], env=libpq_env(database))  # fmt: skip
    connection = _connect(database)
    try:
        with connection.cursor() as cursor:
            figures = _figures(cursor)
    finally:
        connection.close()
    if figures != {"households": manifest["households"], "ledger_sum": manifest["ledger_sum"]}:
        raise BackupError(f"restored figures {figures} differ from the archive's manifest")
    seconds = round(time.perf_counter() - started, 2)
    return {"archive": str(archive), "bytes": size, "seconds": seconds, **figures, "database": database["NAME"],
            "attachments": len(manifest["media"]), "media_root": str(media_root)}  # fmt: skip


def _extract(archive: Path, work: Path, media_root: Path, passphrase: str) -> tuple[dict, dict]:
    found, manifest = {}, None
    with archive.open("rb") as handle:
        cipher = None
        stream = handle
        if passphrase:
            cipher = subprocess.Popen(
                ["openssl", "enc", "-d", *OPENSSL_CIPHER], stdin=handle, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env={**os.environ, "PORTAL_BACKUP_PASSPHRASE": passphrase},
            )  # fmt: skip
            stream = cipher.stdout
        try:
            with tarfile.open(fileobj=stream, mode="r|") as tar:
                for member in tar:
                    name = _safe_member(member)
                    source = tar.extractfile(member)
                    if str(name) == MANIFEST:
                        manifest = json.loads(source.read())
                        continue
                    if str(name) == DUMP:
                        target = work / DUMP
                    elif name.parts[0] == MEDIA and len(name.parts) > 1:
                        target = media_root.joinpath(*name.parts[1:])
                    else:
                        raise BackupError(f"unexpected entry {member.name!r} in the archive")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    with target.open("wb") as out:
                        while block := source.read(CHUNK):
                            digest.update(block)
                            out.write(block)
                    found[str(name)] = digest.hexdigest()
        except tarfile.TarError as exc:
            raise BackupError("the archive cannot be read: wrong passphrase or a damaged file") from exc
        finally:
            if cipher:
                cipher.stdout.close()
                if cipher.wait() != 0 and manifest is None:
                    raise BackupError("openssl could not decrypt the archive: wrong passphrase?")
    if manifest is None:
        raise BackupError("the archive has no manifest")
    return manifest, found


def _check_manifest(manifest: dict, found: dict) -> None:
    expected = {item["path"]: item["sha256"] for item in [manifest["database"], *manifest["media"]]}
    if expected != found:
        damaged = sorted(set(expected.items()) ^ set(found.items()))
        raise BackupError(f"the archive's files do not match its manifest: {damaged[:5]}")


def _empty(directory: Path) -> None:
    for child in directory.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
