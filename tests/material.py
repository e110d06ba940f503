"""What the tests read besides their own files, in one place.

The seed report and its hand-written record come from the project's copy in data/seed/
(tests/test_demo.py keeps it identical to ../shared/seeds and ../shared/spec/examples).
The spec's tools under ../shared (compare_record.py, the JSON schema) are used when present;
a test that needs them is skipped, saying why, when ../shared is absent.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.txt"
SEED_EXPECTED = ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.json"

SHARED = ROOT.parent / "shared"
SHARED_SEED = SHARED / "seeds" / SEED.name
SHARED_SEED_EXPECTED = SHARED / "spec" / "examples" / SEED_EXPECTED.name
SCHEMA = SHARED / "spec" / "report-record.schema.json"
_TOOLS = SHARED / "tools"


def need_shared(path: Path) -> Path:
    """`path` under ../shared, or the test is skipped saying it is absent."""
    if not path.exists():
        pytest.skip(f"../shared is absent here: {path.relative_to(SHARED)} is needed")
    return path


def compare(expected: dict, record: dict):
    """The spec's own field-by-field comparison (../shared/tools/compare_record.py)."""
    need_shared(_TOOLS / "compare_record.py")
    if str(_TOOLS) not in sys.path:
        sys.path.append(str(_TOOLS))
    from compare_record import compare as spec_compare

    return spec_compare(expected, record)


def record_schema() -> dict:
    return json.loads(need_shared(SCHEMA).read_text(encoding="utf-8"))
