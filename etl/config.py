"""Limits that keep one hostile or broken file from hurting the run.

Defaults can be overridden per run by the CLI flags or by environment
variables (ETL_MAX_FILE_MB, ETL_MAX_INFLATED_MB, ETL_TIMEOUT_S, ETL_MEMORY_MB).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "reports.duckdb"
SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"


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
    memory_mb: float = _env("ETL_MEMORY_MB", 1024)            # address-space cap of the worker process

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_inflated_bytes(self) -> int:
        return int(self.max_inflated_mb * 1024 * 1024)
