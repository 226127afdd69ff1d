"""Open, create and migrate a workspace: one DuckDB file with events, sessions, samples and tags."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from queries.config import Config, parse_config
from queries.errors import StripdownError, UsageError
from queries.sql import load_sql

SCHEMA_VERSION = 2

# Each entry upgrades a workspace from the version in its key to the next one. After any of them
# the sessions are derived again, since a new schema may store more of what is derived.
MIGRATIONS: dict[int, str] = {1: "migrate_to_2.sql"}

_LOCK_PID = re.compile(r"\(PID (\d+)\)")

# DuckDB's own default is 80 % of the machine's memory. A cap keeps a large import near this size
# and lets DuckDB spill to a folder beside the workspace (WORKSPACE.tmp) instead.
MEMORY_LIMIT_VARIABLE = "STRIPDOWN_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "512MB"
# The triage app reads one session at a time, so a smaller cache is enough. With it, a review
# session of a 10 million event workspace peaked under 250 MiB in bench/run.py.
REVIEW_MEMORY_LIMIT = "128MB"
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


class Workspace:
    """An open workspace file; use `Workspace.open` and close it when done (or use `with`)."""

    def __init__(self, path: Path, connection: duckdb.DuckDBPyConnection, created: bool) -> None:
        self.path = path
        self.connection = connection
        self.created = created
        self._config: Config | None = None
        self._local = threading.local()

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, read_only: bool = False) -> Workspace:
        """Open the workspace at `path`, creating it when missing and `create` is true."""
        path = Path(path).expanduser()
        existed = path.exists()
        if path.is_dir():
            raise StripdownError(
                f"{path} is a folder; give a workspace file path such as {path / 'review.duckdb'}"
            )
        if not existed and not create:
            raise StripdownError(
                f"workspace {path} not found; create it with: stripdown import EXPORT -w {path}"
            )
        if not existed:
            _check_folder_writable(path)
        connection = _connect(path, read_only=read_only and existed)
        workspace = cls(path, connection, created=not existed)
        try:
            if existed:
                workspace._check_complete()
                version = workspace._check_schema()
                if version < SCHEMA_VERSION:
                    return workspace._upgraded(version, read_only)
            else:
                workspace._create_schema()
        except BaseException:
            workspace.discard()
            raise
        return workspace

    def _upgraded(self, version: int, read_only: bool) -> Workspace:
        """Migrate this older workspace, reopening it for writing first when it is open read-only."""
        if not read_only:
            self._migrate(version)
            return self
        self.close()
        try:
            with Workspace.open(self.path, create=False):
                pass
        except StripdownError as error:
            raise StripdownError(
                f"{self.path} uses an older workspace schema ({version}) and cannot be upgraded: "
                f"{error.message}"
            ) from None
        return Workspace.open(self.path, create=False, read_only=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; safe to call more than once."""
        with suppress(duckdb.Error):
            self.connection.close()

    def discard(self) -> None:
        """Close and delete a workspace this process created, leaving no file behind."""
        self.close()
        if self.created:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)

    def set_memory_limit(self, default: str) -> None:
        """Change DuckDB's memory limit to `default`, unless $STRIPDOWN_MEMORY_LIMIT sets one."""
        self.connection.execute(f"SET memory_limit = '{memory_limit(default)}'")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """Return this thread's cursor; DuckDB cursors must not be shared between threads."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self.connection.cursor()
            self._local.cursor = cursor
        return cursor

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction on this thread's cursor: all of it is kept, or none."""
        cursor = self.cursor()
        cursor.execute("BEGIN TRANSACTION")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")

    @property
    def config(self) -> Config:
        """The config in force: the newest one saved, or the built-in defaults."""
        if self._config is None:
            row = self.cursor().execute("SELECT text FROM config ORDER BY saved_at DESC LIMIT 1").fetchone()
            self._config = (
                parse_config(row[0], source=f"the config stored in {self.path}") if row else Config()
            )
        return self._config

    def save_config(self, config: Config, cursor: duckdb.DuckDBPyConnection | None = None) -> bool:
        """Store `config` as the one in force; return False when it equals the current one."""
        if config.text == self.config.text:
            return False
        (cursor or self.cursor()).execute(
            "INSERT INTO config VALUES (?, ?)", [datetime.now(UTC), config.text]
        )
        self._config = config
        return True

    def _create_schema(self) -> None:
        with self.transaction() as cursor:
            cursor.execute(load_sql("schema.sql"))
            cursor.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [["schema_version", str(SCHEMA_VERSION)], ["created_at", datetime.now(UTC).isoformat()]],
            )

    def _check_complete(self) -> None:
        """Raise when the file is shorter than the blocks DuckDB lists for it, as a cut-off copy is."""
        # NOTE: skipped while a write-ahead log exists, because replaying it may list blocks that
        # are not written back yet. A damaged block found later still fails with a DuckDB error.
        if self.path.with_name(self.path.name + ".wal").exists():
            return
        # DuckDB cuts free blocks off the end of the file, so only the blocks in use must fit.
        query = "SELECT block_size, total_blocks - free_blocks FROM pragma_database_size()"
        try:
            row = self.cursor().execute(query).fetchone()
        except duckdb.Error as error:
            raise _open_error(self.path, str(error)) from None
        size = self.path.stat().st_size
        if row is not None and row[0] * row[1] > size:
            raise _open_error(self.path, f"{size} bytes, but its block list needs {row[0] * row[1]}")

    def _check_schema(self) -> int:
        """Check the file is a workspace this version can read; return its schema version."""
        try:
            row = self.cursor().execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            row = None
        except duckdb.Error as error:
            raise _open_error(self.path, str(error)) from None
        if row is None or not row[0].isdigit():
            raise StripdownError(
                f"{self.path} is a DuckDB file but not a stripdown workspace; "
                "give a new file name with -w to create a workspace"
            )
        version = int(row[0])
        if version > SCHEMA_VERSION:
            raise StripdownError(
                f"{self.path} was written by a newer stripdown (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade stripdown to open it"
            )
        return version

    def _migrate(self, version: int) -> None:
        # Imported here because queries.sessions opens workspaces through this module.
        from queries.sessions import derive_sessions

        original = version
        try:
            with self.transaction() as cursor:
                while version < SCHEMA_VERSION:
                    cursor.execute(load_sql(MIGRATIONS[version]))
                    version += 1
                derive_sessions(cursor, self.config)
                cursor.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
        except duckdb.Error as error:
            if ran_out_of_memory(error):
                raise
            raise StripdownError(
                f"upgrading workspace {self.path} from schema {original} to {SCHEMA_VERSION} failed "
                f"({_first_line(error)}); nothing was changed; report this with the message"
            ) from None


def _check_folder_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StripdownError(
            f"cannot create workspace {path}: folder {folder} does not exist; create it first"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StripdownError(
            f"cannot create workspace {path}: folder {folder} is not writable; choose a writable folder with -w"
        )


def memory_limit(default: str = DEFAULT_MEMORY_LIMIT) -> str:
    """Return the DuckDB memory limit: $STRIPDOWN_MEMORY_LIMIT, or `default` when it is unset."""
    value = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip()
    if not value:
        return default
    if not _MEMORY_SIZE.fullmatch(value):
        raise UsageError(
            f"{MEMORY_LIMIT_VARIABLE}={value!r} is not a memory size; give one such as 512MB or 2GB"
        )
    return value


def ran_out_of_memory(error: duckdb.Error) -> bool:
    """True when DuckDB failed because the memory limit was reached, whatever the error's class."""
    return isinstance(error, duckdb.OutOfMemoryException) or "could not allocate block" in str(error)


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    limit = memory_limit()
    try:
        connection = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": limit})
        connection.execute("SET TimeZone = 'UTC'")
        return connection
    except duckdb.IOException as error:
        raise _open_error(path, str(error)) from None
    except duckdb.Error as error:
        raise StripdownError(f"cannot open workspace {path}: {_first_line(error)}") from None


def _open_error(path: Path, detail: str) -> StripdownError:
    if "Could not set lock" in detail:
        pid = _LOCK_PID.search(detail)
        holder = f" (PID {pid.group(1)})" if pid else ""
        return StripdownError(
            f"workspace {path} is in use by another stripdown process{holder}; "
            "close that process, or copy the file and open the copy"
        )
    if "not a valid DuckDB database" in detail or "not a DuckDB" in detail:
        return StripdownError(
            f"{path} is not a stripdown workspace; give a new file name with -w to create one"
        )
    if "newer" in detail or "version" in detail.lower():
        return StripdownError(
            f"{path} was written by a newer DuckDB or stripdown; upgrade stripdown to open it"
        )
    if "Read-only file system" in detail:
        return StripdownError(
            f"cannot open workspace {path} for writing: it is on a read-only file system; "
            "copy it to a writable folder and open the copy"
        )
    if "Permission denied" in detail or "Read-only" in detail:
        return StripdownError(
            f"cannot open workspace {path}: permission denied; check the file's permissions"
        )
    return StripdownError(
        f"cannot open workspace {path}: the file is damaged or truncated ({_first_line(detail)}); "
        "restore it from a copy or create a new workspace"
    )


def _first_line(detail: object) -> str:
    return str(detail).strip().splitlines()[0] if str(detail).strip() else "unknown error"


@contextmanager
def opened(path: str | Path, *, create: bool = False, read_only: bool = False) -> Iterator[Workspace]:
    """Open a workspace for one command; a workspace created by a failed command is deleted."""
    workspace = Workspace.open(path, create=create, read_only=read_only)
    try:
        yield workspace
    except BaseException:
        if workspace.created:
            workspace.discard()
        raise
    finally:
        workspace.close()
