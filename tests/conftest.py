"""Shared fixtures: paths to the shared material, and the databases the page
and query tests run against."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "yunxi-2022-labor-inspection-brigade.txt"
SEED_EXPECTED = SHARED / "spec" / "examples" / "yunxi-2022-labor-inspection-brigade.json"
SCHEMA = SHARED / "spec" / "report-record.schema.json"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SHARED / "tools"))


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def record_schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
