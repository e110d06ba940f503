"""Score the extractor on real published report openings against hand-written truth.

Used by tests/test_real_reports.py and by score.py beside this file. The truth
format and the verdicts are those of ../shared/real-reports/check.py: its
`score_doc` (with `lookup`, `same`, `judge`) is imported from there when the
shared folder is present, so both sets are judged by one rule; a copy of the
same ~40 lines below is used when it is not.

Unlike check.py, the extractor runs in this process (`etl.extract.extract_file`),
so a refusal is an `ExtractError`, not an exit code.
"""
from __future__ import annotations

import collections
import importlib.util
import json
import re
import traceback
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent          # tests/real_reports
ROOT = HERE.parent.parent                        # the project
SHARED_SET = ROOT.parent / "shared" / "real-reports"
NEW_SET = HERE
NOT_A_REPORT = "not-a-report"


# ---------------------------------------------------------------- judging (check.py's, or a copy)
def _load_check():
    path = SHARED_SET / "check.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("shared_real_reports_check", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_CHECK = _load_check()

_PATH_RE = re.compile(r"^(\w+)(?:\[([^\]]+)\])?(?:\.(\w+))?$")
_TOL = 0.005


def _lookup(rec, path):
    m = _PATH_RE.match(path)
    if not m or rec is None:
        return None
    top, sel, field = m.groups()
    obj = rec.get(top)
    if sel is None:
        return obj.get(field) if isinstance(obj, dict) and field else obj
    rows = obj if isinstance(obj, list) else []
    if sel == "*":
        return rows or None
    key = "channel" if top == "cases" else "org"
    hit = [r for r in rows if isinstance(r, dict) and r.get(key) == sel]
    if not hit and top != "cases" and len(rows) == 1 and isinstance(rows[0], dict):
        hit = rows
    if not hit:
        return None
    return hit[0].get(field) if field else hit[0]


def _norm_str(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _same(expected, got):
    if isinstance(expected, dict) and "any_of" in expected:
        return any(_same(e, got) for e in expected["any_of"])
    if got is None or expected is None:
        return got is None and expected is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and abs(float(got) - float(expected)) <= _TOL
    if isinstance(expected, str):
        return isinstance(got, str) and _norm_str(got) == _norm_str(expected)
    return expected == got


def _is_empty(v):
    return v is None or v == [] or v == ""


def _judge(expected, got, have_record):
    if not have_record:
        return "no record"
    if _is_empty(got):
        return "missing"
    return "correct" if _same(expected, got) else "wrong"


def _score_doc(truth, res):
    rec = res["record"]
    have = rec is not None
    out = {"expect": {}, "soft": {}, "absent": {}}
    for kind, src in (("expect", truth["expect"]), ("soft", truth["expect_soft"])):
        for path, exp in src.items():
            got = _lookup(rec, path)
            out[kind][path] = {"expected": exp, "got": got, "verdict": _judge(exp, got, have)}
    for path in truth["absent"]:
        got = _lookup(rec, path)
        verdict = "no record" if not have else ("ok" if _is_empty(got) else "invented")
        out["absent"][path] = {"got": got, "verdict": verdict}
    return out


score_doc = getattr(_CHECK, "score_doc", _score_doc)
JUDGED_BY = "shared check.py" if _CHECK else "local copy of check.py's rules"


# ---------------------------------------------------------------- running
def load_truths(set_dir: Path) -> list[dict]:
    return [json.loads(f.read_text(encoding="utf-8")) for f in sorted((set_dir / "truth").glob("*.json"))]


def run_one(doc_path: Path) -> dict:
    """{"record", "exit": ok | refused | crash, "reason"}."""
    from etl.document import ExtractError
    from etl.extract import extract_file

    try:
        return {"record": extract_file(doc_path), "exit": "ok", "reason": ""}
    except ExtractError as exc:
        return {"record": None, "exit": "refused", "reason": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a crash is a finding, not a test error
        return {"record": None, "exit": "crash",
                "reason": f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=-1).strip().splitlines()[-1]}"}


def score_set(set_dir: Path, label: str) -> list[dict]:
    rows = []
    for t in load_truths(set_dir):
        res = run_one(set_dir / "docs" / f"{t['id']}.txt")
        rows.append({"set": label, "id": t["id"], "family": t["family"], "exit": res["exit"],
                     "reason": res["reason"], "scores": score_doc(t, res), "record": res["record"]})
    return rows


# ---------------------------------------------------------------- summaries
def tally(rows: list[dict]) -> collections.Counter:
    c = collections.Counter()
    for r in rows:
        c["docs"] += 1
        c["exit_" + r["exit"]] += 1
        for v in r["scores"]["expect"].values():
            c["exp_n"] += 1
            c["exp_" + v["verdict"]] += 1
        for v in r["scores"]["soft"].values():
            c["soft_n"] += 1
            c["soft_" + v["verdict"]] += 1
        for v in r["scores"]["absent"].values():
            c["abs_" + v["verdict"]] += 1
    return c


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "   - "


def _short(v, n=28):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    s = s.replace("\n", "⏎")
    return s if len(s) <= n else s[: n - 1] + "…"


def doc_table(rows: list[dict]) -> str:
    out = [f"{'doc':44} {'family':22} {'exit':8} {'expect':>13} {'soft':>7} {'inv':>4}  first problems"]
    for r in rows:
        sc = r["scores"]
        c = collections.Counter(v["verdict"] for v in sc["expect"].values())
        s = collections.Counter(v["verdict"] for v in sc["soft"].values())
        inv = sum(v["verdict"] == "invented" for v in sc["absent"].values())
        n, ns = len(sc["expect"]), len(sc["soft"])
        probs = [f"{p}: want {_short(v['expected'], 20)} got {_short(v['got'], 20)}"
                 for p, v in sc["expect"].items() if v["verdict"] != "correct" and v["verdict"] != "no record"]
        probs = [f"INVENTED {p}={_short(v['got'], 20)}" for p, v in sc["absent"].items() if v["verdict"] == "invented"] + probs
        if r["exit"] != "ok" and not (r["family"] == NOT_A_REPORT and r["exit"] == "refused"):
            probs.insert(0, f"[{r['exit']}] {_short(r['reason'], 70)}")
        out.append(f"{r['id']:44} {r['family']:22} {r['exit']:8} {c['correct']:>3}/{n:<3}{pct(c['correct'], n)} "
                   f"{s['correct']:>3}/{ns:<3} {inv:>3}  " + " | ".join(probs[:3]))
    return "\n".join(out)


def family_table(rows: list[dict]) -> str:
    fams = collections.defaultdict(list)
    for r in rows:
        fams[r["family"]].append(r)
    out = [f"{'family':30} {'docs':>4} {'refused':>7} {'crash':>5} {'expected':>8} {'correct':>8} {'wrong':>5} "
           f"{'missing':>7} {'norec':>5} {'soft':>9} {'invented':>8}"]
    for fam in sorted(fams) + ["(all)"]:
        c = tally(rows if fam == "(all)" else fams[fam])
        out.append(f"{fam:30} {c['docs']:>4} {c['exit_refused']:>7} {c['exit_crash']:>5} {c['exp_n']:>8} "
                   f"{pct(c['exp_correct'], c['exp_n']):>8} {c['exp_wrong']:>5} {c['exp_missing']:>7} "
                   f"{c['exp_no record']:>5} {c['soft_correct']:>3}/{c['soft_n']:<5} {c['abs_invented']:>8}")
    return "\n".join(out)


def available_sets() -> list[tuple[Path, str]]:
    sets = []
    if (SHARED_SET / "truth").is_dir():
        sets.append((SHARED_SET, "shared"))
    sets.append((NEW_SET, "new"))
    return sets


def score_sets(sets: list[tuple[Path, str]]) -> list[dict]:
    """Every doc of the sets scored, each set's table printed on the way."""
    rows: list[dict] = []
    for set_dir, label in sets:
        part = score_set(set_dir, label)
        print(f"\n== {label}: {set_dir}  (judged by {JUDGED_BY})")
        print(doc_table(part))
        rows += part
    return rows
