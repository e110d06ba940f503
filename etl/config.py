"""What the ETL reads, and the limits that keep one hostile or broken file
from hurting the run.

Limits can be overridden per run by the CLI flags or by environment
variables (ETL_MAX_FILE_MB, ETL_MAX_INFLATED_MB, ETL_TIMEOUT_S, ETL_MEMORY_MB).
The file types and the zip-bomb rule are written here once: the readers
(etl/readers), the loader (etl/load.py) and the upload page (ui/upload.py)
all use them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The database: $REPORTS_DB if set, else data/reports.duckdb. The dashboard, `python -m etl`
# and `python -m queries` all take it from here.
DB_ENV = "REPORTS_DB"


def configured_db() -> Path:
    raw = os.environ.get(DB_ENV, "").strip()
    return Path(raw).expanduser().resolve() if raw else PROJECT_ROOT / "data" / "reports.duckdb"


DEFAULT_DB = configured_db()
SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"

# The report files the readers read (etl/readers: one reader each), and the
# archives the loader opens to find more of them.
REPORT_EXTENSIONS = (".docx", ".doc", ".pdf", ".txt", ".html", ".htm")
ARCHIVE_EXTENSIONS = (".zip",)

# A zip member (of an uploaded .zip, or a part of a .docx package) that would
# inflate to more than MAX_COMPRESSION_RATIO times its packed size is a zip
# bomb and is refused before inflating, once it is big enough to matter. A
# deflated Word/text report inflates about 3-15x, a zip bomb 100-1000x. The
# size from which the ratio counts differs: 1 MB for a member of an archive
# (a report file: already compressed, or text), 10 MB for a part inside a
# .docx (deflated Word XML).
MAX_COMPRESSION_RATIO = 200
BOMB_MIN_BYTES_ARCHIVE = 1 << 20
BOMB_MIN_BYTES_DOCX = 10 << 20


def looks_like_zip_bomb(size: int, packed: int, min_bytes: int) -> bool:
    """A member of `size` bytes inflated, `packed` stored: too big for its packed size?"""
    return size > min_bytes and size > MAX_COMPRESSION_RATIO * max(packed, 1)


def _env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = _env("ETL_MAX_FILE_MB", 50)          # refuse bigger files outright
    max_inflated_mb: float = _env("ETL_MAX_INFLATED_MB", 200)  # .docx/.zip contents, checked before inflating
    timeout_s: float = _env("ETL_TIMEOUT_S", 60)              # per file
    memory_mb: float = _env("ETL_MEMORY_MB", 1024)            # the command and its worker, together (etl/isolate.py)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_inflated_bytes(self) -> int:
        return int(self.max_inflated_mb * 1024 * 1024)
