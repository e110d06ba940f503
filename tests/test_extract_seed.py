"""The real seed report must extract to its hand-written expected record."""
import json
import re
import subprocess
import sys

from tests.material import compare

from tests.material import ROOT, SEED
from etl.extract import extract_file


def test_seed_record_equals_expected_on_every_field(seed_expected, record_validator):
    record = extract_file(SEED)
    record_validator.validate(record)
    bad = [row for row in compare(seed_expected, record) if not row[3]]
    assert bad == []
    assert record["source"]["warnings"] == []


def test_seed_narrative_is_exact_not_just_similar(seed_expected):
    # compare_record accepts 90% similarity for prose; we hold ourselves to equality.
    record = extract_file(SEED)
    squash = lambda s: re.sub(r"\s+", "", s or "")  # noqa: E731
    for key, text in seed_expected["narrative"].items():
        assert squash(record["narrative"][key]) == squash(text), key
    assert squash(record["goals_completion"]) == squash(seed_expected["goals_completion"])


def test_cli_extract_prints_the_seed_record_as_json_lines(seed_expected):
    out = subprocess.run([sys.executable, "-m", "etl", "extract", str(SEED)], cwd=ROOT,
                         capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1
    assert "\\u" not in lines[0]  # UTF-8, not ASCII-escaped
    record = json.loads(lines[0])
    assert [r for r in compare(seed_expected, record) if not r[3]] == []
