"""Find the export files of an import and tell their format, compression and text encoding.

Detection reads at most the first 64 KiB of each file, decompressed when gzip-compressed. Only
DuckDB and the SHA-256 that recognises a file imported before read the whole file.
"""

from __future__ import annotations

import codecs
import glob
import gzip
import hashlib
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from queries.errors import StripdownError, UsageError

FORMATS = ("csv", "tsv", "jsonl", "parquet", "snowplow", "access-log")

_SAMPLE_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".log": "access-log",
}

# Formats that cannot be read, with what to do instead.
_UNSUPPORTED = {
    ".xml": "XML is not supported; export CSV from the analytics tool instead",
    ".xlsx": "Excel workbooks are not supported; save the sheet as CSV",
    ".xls": "Excel workbooks are not supported; save the sheet as CSV",
    ".zip": "zip archives are not supported; unzip it and import the files inside",
}

# One line of the Apache/nginx "common" or "combined" log format.
ACCESS_LOG_LINE = re.compile(
    r'^\S+ \S+ \S+ \[\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "[^"]*" (?:\d{3}|-) (?:\d+|-)'
)

# Columns that only a Snowplow enriched-events table has, all of which must be in the header.
SNOWPLOW_COLUMNS = ("domain_sessionid", "domain_userid", "collector_tstamp", "event_id", "event_name")


@dataclass(frozen=True)
class SourceFile:
    """One export file and how to read it."""

    path: Path
    format: str
    gzip: bool = False
    # A DuckDB read_csv encoding name: "utf-8", "utf-16" (little-endian) or "latin-1".
    encoding: str = "utf-8"
    # The file DuckDB reads: `path` itself, or a transcoded copy in a temporary folder.
    readable: Path | None = None

    @property
    def name(self) -> str:
        """The file name shown in messages."""
        return self.path.name

    @property
    def read_encoding(self) -> str:
        """The encoding DuckDB reads: a transcoded copy is always UTF-8."""
        return "utf-8" if self.readable is not None else self.encoding

    @property
    def read_path(self) -> Path:
        """The file DuckDB reads."""
        return self.readable or self.path


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Return the export files named by `paths`, expanding quoted glob patterns, without repeats."""
    if not paths:
        raise UsageError(
            "give at least one export file, for example: stripdown import events.csv -w review.duckdb"
        )
    found: list[Path] = []
    for given in paths:
        text = str(given)
        if glob.has_magic(text) and not Path(text).exists():
            matches = sorted(glob.glob(text))
            if not matches:
                raise StripdownError(f"no file matches {text}; check the pattern")
            found.extend(Path(match) for match in matches)
        else:
            found.append(Path(text))
    unique: list[Path] = []
    for path in found:
        _check_readable(path)
        if path not in unique:
            unique.append(path)
    return unique


def _check_readable(path: Path) -> None:
    if not path.exists():
        raise StripdownError(f"export file {path} not found; check the path")
    if path.is_dir():
        raise StripdownError(
            f"{path} is a folder; give the export files inside it (a glob such as {path}/*.csv works)"
        )
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as error:
        raise StripdownError(
            f"cannot read export file {path}: {error.strerror}; check its permissions"
        ) from None
    if size == 0:
        raise StripdownError(f"export file {path} is empty; export it again with at least one row")


def inspect(path: Path, forced: str | None = None) -> SourceFile:
    """Tell the format, compression and encoding of one export file."""
    head = _read_head(path)
    compressed = head.startswith(_GZIP_MAGIC)
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        if not compressed:
            raise StripdownError(
                f"{path} is named .gz but is not gzip-compressed; rename it without .gz and import it again"
            )
        suffixes = suffixes[:-1]
    sample = _decompressed_head(path) if compressed else head
    if not sample.strip():
        raise StripdownError(f"export file {path} is empty; export it again with at least one row")
    extension = suffixes[-1] if suffixes else ""
    if forced is None and extension in _UNSUPPORTED:
        raise StripdownError(f"{path}: {_UNSUPPORTED[extension]}")
    if sample.startswith(_PARQUET_MAGIC):
        return SourceFile(path, "parquet", compressed)
    if forced == "parquet":
        raise StripdownError(f"{path} is not a Parquet file (no PAR1 header); check --format")
    encoding = _encoding(sample)
    text = _decode(sample, encoding)
    if forced is None and text.lstrip().startswith("<"):
        raise StripdownError(f"{path}: XML is not supported; export CSV from the analytics tool instead")
    if "\x00" in text or _is_binary(text):
        raise StripdownError(
            f"cannot tell the format of {path}: it is not text; give a CSV, TSV, JSON lines, Parquet "
            "or access-log file"
        )
    file_format = forced or _text_format(text, extension)
    return SourceFile(path, file_format, compressed, encoding)


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SAMPLE_BYTES)


def _decompressed_head(path: Path) -> bytes:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(_SAMPLE_BYTES)
    except (OSError, EOFError, zlib.error) as error:
        raise StripdownError(f"{path} is not a readable gzip file ({error}); export it again") from None


def _encoding(sample: bytes) -> str:
    """Return the encoding name: UTF-16 by its byte-order mark or NUL pattern, else UTF-8 or Latin-1."""
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be"
    pairs = sample[: len(sample) - len(sample) % 2]
    if pairs and pairs[1::2].count(0) > len(pairs) // 4 and pairs[0::2].count(0) == 0:
        return "utf-16"
    if pairs and pairs[0::2].count(0) > len(pairs) // 4 and pairs[1::2].count(0) == 0:
        return "utf-16-be"
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the sample is not a reason to doubt UTF-8.
        if error.start < len(sample) - 3:
            return "latin-1"
    return "utf-8"


def _decode(sample: bytes, encoding: str) -> str:
    python_name = {"utf-16": "utf-16-le", "utf-16-be": "utf-16-be"}.get(encoding, encoding)
    return sample.decode(python_name, errors="replace").lstrip("\ufeff")


def _is_binary(text: str) -> bool:
    controls = sum(1 for char in text[:4096] if ord(char) < 32 and char not in "\t\r\n\x0b\x0c\x1b\x07\x08")
    replaced = text[:4096].count("\ufffd")
    return controls + replaced > len(text[:4096]) // 20


def _text_format(text: str, extension: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    first = lines[0] if lines else ""
    if ACCESS_LOG_LINE.match(first):
        return "access-log"
    if first.lstrip().startswith(("{", "[")) and extension not in (".csv", ".tsv", ".txt"):
        return "jsonl"
    header = {name.strip().strip('"').lower() for name in re.split(r"[,\t;]", first)}
    if all(column in header for column in SNOWPLOW_COLUMNS):
        return "snowplow"
    guessed = _EXTENSIONS.get(extension)
    if guessed in ("csv", "tsv", "jsonl") or guessed is None:
        return guessed or "csv"
    return guessed


@contextmanager
def readable_copies(sources: Sequence[SourceFile]) -> Iterator[list[SourceFile]]:
    """Yield the sources with a UTF-8 copy of each file DuckDB cannot read as it is.

    DuckDB reads UTF-8, little-endian UTF-16 and Latin-1 itself, and gzip-compressed text. Big-endian
    UTF-16 and gzip-compressed Parquet are converted chunk by chunk into a temporary folder, which is
    removed afterwards.
    """
    if not any(_needs_copy(source) for source in sources):
        yield list(sources)
        return
    with tempfile.TemporaryDirectory(prefix="stripdown-import-") as folder:
        ready = []
        for index, source in enumerate(sources):
            if _needs_copy(source):
                target = Path(folder) / f"{index}-{source.path.name.removesuffix('.gz')}"
                _copy_readable(source, target)
                ready.append(replace(source, readable=target, gzip=False))
            else:
                ready.append(source)
        yield ready


def _needs_copy(source: SourceFile) -> bool:
    return source.encoding == "utf-16-be" or (source.format == "parquet" and source.gzip)


def _copy_readable(source: SourceFile, target: Path) -> None:
    opener = gzip.open if source.gzip else open
    try:
        with opener(source.path, "rb") as raw, target.open("wb") as output:
            if source.encoding == "utf-16-be":
                decoder = codecs.getincrementaldecoder("utf-16-be")()
                while chunk := raw.read(1 << 20):
                    output.write(decoder.decode(chunk).encode("utf-8"))
                output.write(decoder.decode(b"", final=True).encode("utf-8"))
            else:
                shutil.copyfileobj(raw, output, 1 << 20)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise StripdownError(f"cannot read {source.path}: {error}; export the file again") from None


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
