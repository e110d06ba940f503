#!/usr/bin/env python3
"""Per-doc and per-family scores of the extractor on the real report openings.

    .venv/bin/python tests/real_reports/score.py            # this set (tests/real_reports)
    .venv/bin/python tests/real_reports/score.py --all      # plus ../shared/real-reports
    .venv/bin/python tests/real_reports/score.py --show ID  # one doc's verdicts and record
"""
import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))   # the project, for `etl`
sys.path.insert(0, str(HERE))

import realscore  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true", help="also score ../shared/real-reports")
    ap.add_argument("--show", default=None, help="print this doc's verdicts and record")
    args = ap.parse_args()
    sets = realscore.available_sets() if args.all else [(realscore.NEW_SET, "new")]
    rows = realscore.score_sets(sets)
    print("\nper family")
    print(realscore.family_table(rows))
    c = realscore.tally(rows)
    print(f"\n{c['docs']} docs; expected fields {c['exp_correct']}/{c['exp_n']} correct "
          f"({realscore.pct(c['exp_correct'], c['exp_n']).strip()}); soft {c['soft_correct']}/{c['soft_n']}; "
          f"invented {c['abs_invented']}; refused {c['exit_refused']}; crash {c['exit_crash']}")
    if args.show:
        for r in rows:
            if r["id"] == args.show:
                print(f"\n=== {r['id']}: {r['exit']} {r['reason']}")
                for kind in ("expect", "soft", "absent"):
                    for p, v in r["scores"][kind].items():
                        print(f"  {kind:6} {v['verdict']:9} {p:36} want {json.dumps(v.get('expected'), ensure_ascii=False)[:30]:30} "
                              f"got {json.dumps(v['got'], ensure_ascii=False)[:40]}")
                rec = r["record"] or {}
                print(json.dumps({k: rec.get(k) for k in ("report", "income", "expenditure", "three_public",
                                                         "fixed_assets", "cases", "source")},
                                 ensure_ascii=False, indent=1)[:5000])


if __name__ == "__main__":
    main()
