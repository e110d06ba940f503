"""The demo district: a deterministic multi-year corpus of report documents.

    python -m demo [--out DIR] [--seed N]      (also: python -m etl demo ...)

Writes, for about 45 units of 岳阳市云溪区 and fiscal years 2019–2024, one
report document each (mostly .docx, a share as .txt dumps — some GB18030 —,
a few .html pages and about ten PDFs; about 9% written as Hunan prose reports
instead of the template, see `_choose_prose`), and beside each document `<stem>.json`:
the exact record an extractor must return for it, its warnings aside (valid against
../shared/spec/report-record.schema.json, `source.demo: true`, `source.warnings: []`). The real seed
report is copied in as itself with its hand-written record (`demo: false`).
Also written: `manifest.json` (what was planted where: renames, merges, the
report in 元, blank results, the missing section, and the few arithmetic
inconsistencies, each with the identity it breaks and by how much) and
`unit_aliases.csv` (renames and merges, in data/unit_aliases.csv's format).

Figures are calibrated on ../shared/research/ (sizes by unit type:
demo/data.py KINDS). Every money table adds up (IDENTITIES; org rows add
up to the 汇总 row) except where manifest.json says otherwise. Each unit's
income follows a smooth walk inside its type's range from its own random
stream, so the same seed always gives the same bytes (PDFs: the same bytes for
the same batch).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from etl.config import PROJECT_ROOT
from etl.readers.office import soffice_path

from . import data as D
from .blocks import MONEY_FIELDS, PROSE_TEMPLATE_ID, TEMPLATE_ID, ProseStyle, RenderOptions
from .expected import expected_record
from .render import convert, render_docx, render_html, render_txt

# The real seed report and its hand-written record, as in ../shared/seeds and
# ../shared/spec/examples: copied into the project so that the built-in demo
# needs nothing beside it (a test checks the copies are still the same).
SEED_FILE = PROJECT_ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.txt"
SEED_RECORD = PROJECT_ROOT / "data" / "seed" / "yunxi-2022-labor-inspection-brigade.json"
DEFAULT_OUT = PROJECT_ROOT / "data" / "demo"

TEMPLATE_ORDER = {  # document order of the indicator groups
    ("产出目标", "质量指标"): 0, ("产出目标", "数量指标"): 1, ("产出目标", "时效指标"): 2, ("产出目标", "成本指标"): 3,
    ("效益目标", "社会效益"): 4, ("效益目标", "经济效益"): 5, ("效益目标", "生态效益"): 6,
    ("效益目标", "社会公众或服务对象满意度"): 7,
}
RICH_NAMES = {"产出目标": "产出指标", "效益目标": "效益指标"}
DEVIATIONS = ("受疫情影响，部分工作延期开展", "项目资金拨付滞后，影响实施进度", "年初目标设置偏高",
              "人员力量不足，工作推进偏慢", "上级政策调整，任务量减少")


def _rng(seed: int, *keys) -> random.Random:
    """An independent stream per (seed, keys): adding a unit never shifts another's figures."""
    digest = hashlib.sha256("|".join(map(str, (seed, *keys))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _c(x: float) -> int:
    """万元 -> cents of 万元 (all sums are done on integers so parts add up exactly)."""
    return int(round(x * 100))


def _w(cents: int | None) -> float | None:
    return None if cents is None else cents / 100


def _f2(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _num_text(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


# Every row of a money table obeys these (the planted inconsistencies of
# manifest.json excepted): row[field] = sum of row[parts], blanks counting 0.
IDENTITIES = {
    "income": (("total", ("carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income",
                          "other_income")),),
    "expenditure": (("total", ("basic", "project")), ("basic", ("personnel", "public"))),
    "three_public": (("total", ("reception", "vehicle_operation", "vehicle_purchase", "overseas")),),
    "fixed_assets": (("total", ("in_use", "leased", "other")),),
}
# The fields drawn (and split over org rows); the others are sums of these.
LEAVES = {
    "income": ("carryover", "fiscal_appropriation", "fund_appropriation", "special_account_income", "other_income"),
    "expenditure": ("personnel", "public", "project", "surplus_year", "surplus_cumulative"),
    "three_public": ("reception", "vehicle_operation", "vehicle_purchase", "overseas"),
    "fixed_assets": ("in_use", "leased", "other"),
}
EXECUTION_FLOOR = 0.85    # the lowest share of its income a unit spends in a year
SEED_INCOME = (2022, 85.53)  # the seed report's own year and income: the 劳动监察大队's walk passes through it
PROSE_SHARE = 0.09        # of the documents, written as prose reports (family B) instead of the template


@dataclass
class Profile:
    """What stays with a unit across years: its size, habits and base figures."""
    unit: D.Unit
    levels: dict              # fiscal year -> income total, 万元 (a smooth walk inside the kind's range)
    staff: int
    personnel_share: float
    project_share: float
    business: float | None    # 其他收入 share of income (schools, hospitals: 事业收入)
    org_style: str            # second | summary | mirror_self | mirror_jiguan
    org_shares: tuple         # 'second': each org row's share, 局机关 first
    surplus: bool             # fills the 结余 columns
    three_public: str         # blank | spend
    car: bool
    reception: float          # 公务接待费 per 万元 spent (0: the unit has none)
    assets: float             # fixed assets in 2019, 万元
    grade_style: str          # bands | words | local
    score_base: float
    contact: str
    phone: str
    evaluator: str
    counts: dict = field(default_factory=dict)   # indicator name -> base value
    cumulative: int = 0       # 累计结余, cents


def _walk(anchor: int, value: float, lo: float, hi: float, r: random.Random) -> dict[int, float]:
    """Income by year: from `value` in year `anchor`, yearly steps of about +3.5% ± 4.5%
    (−10%…+13%) both ways, turned back where a step would leave [lo, hi]."""
    levels = {anchor: value}

    def step(cur: float, forward: bool) -> float:
        g = min(0.13, max(-0.10, r.gauss(0.035, 0.045)))
        for k in (g, -g):
            nxt = cur * (1 + k) if forward else cur / (1 + k)
            if lo <= nxt <= hi:
                return nxt
        return cur
    for y in range(anchor + 1, D.YEARS[-1] + 1):
        levels[y] = step(levels[y - 1], True)
    for y in range(anchor - 1, D.YEARS[0] - 1, -1):
        levels[y] = step(levels[y + 1], False)
    return levels


def _income_bounds(kind: D.Kind) -> tuple[float, float]:
    """Income stays where income × any execution rate is still inside the kind's spending range."""
    lo, hi = kind.spending
    return lo / EXECUTION_FLOOR, hi


def _profile(unit: D.Unit, seed: int) -> Profile:
    r = _rng(seed, "profile", unit.key)
    kind = D.KINDS[unit.kind]
    (s_lo, s_hi), (i_lo, i_hi) = kind.staff, _income_bounds(kind)
    # One draw sizes both staff and money, so big units are big in both; skewed
    # towards the small end like the real ones (medians: 76 staff, 1568万元 spent).
    q = r.random() ** 1.4
    staff = int(round(s_lo + (s_hi - s_lo) * q))
    size = min(1.0, max(0.0, q + r.gauss(0, 0.12)))
    base = i_lo * 1.05 + (i_hi * 0.85 - i_lo * 1.05) * size
    anchor, shares = unit.years[0], None
    merged_from = next((olds for olds, new, _ in D.MERGES if new == unit.name), None)
    if unit.key == "laojian":
        staff = 6
        anchor, base = SEED_INCOME
    elif merged_from:
        # the merged unit starts as the sum of the units it absorbed (their last year)
        last = anchor - 1
        parts = [_profile(next(u for u in D.UNITS if u.name == old), seed).levels[last] for old in merged_from]
        base = min(i_hi * r.uniform(0.88, 0.97), max(i_lo, sum(parts) * r.uniform(1.0, 1.05)))
        shares = tuple(x / sum(parts) for x in parts)
    levels = _walk(anchor, base, i_lo, i_hi, _rng(seed, "drift", unit.key))
    if unit.second_level:
        org_style = "second"
        if shares is None or len(shares) != len(unit.second_level) + 1:
            rs = _rng(0, "share", unit.key)
            head = rs.uniform(0.55, 0.8)
            weights = [rs.uniform(0.6, 1.4) for _ in unit.second_level]
            shares = (head, *[(1 - head) * w / sum(weights) for w in weights])
    elif unit.key == "laojian":
        org_style = "mirror_self"
    else:
        org_style = r.choice(("summary", "mirror_self", "mirror_jiguan", "summary"))
        if org_style == "mirror_jiguan" and unit.kind not in ("bureau", "big"):
            org_style = "mirror_self"   # only a 局 has a 局机关 row
    person = r.choice(D.GIVEN_NAMES) + r.choice(D.PERSON_NAMES) + (r.choice(D.PERSON_NAMES) if r.random() < 0.5 else "")
    contact = D.REGION + unit.name.removeprefix("云溪区") if r.random() < 0.2 or unit.key == "laojian" else person
    phone = r.choice((f"0730-84{r.randint(10000, 99999)}", f"84{r.randint(10000, 99999)}",
                      f"1{r.choice('3589')}{r.randint(100000000, 999999999)}"))
    if unit.key == "laojian":
        phone = "8414336"
    weak = r.random() < 0.12
    return Profile(
        unit=unit, levels=levels, staff=staff,
        personnel_share=r.uniform(*kind.personnel), project_share=r.uniform(*kind.project),
        business=r.uniform(*kind.business) if kind.business else None,
        org_style=org_style, org_shares=shares or (), surplus=r.random() < 0.45,
        three_public="blank" if (unit.kind == "brigade" and r.random() < 0.5) or unit.key == "laojian" else "spend",
        car=r.random() < kind.car,
        reception=0.0 if r.random() < 0.3 else r.uniform(0.0003, 0.0025),
        assets=levels[D.YEARS[0]] * r.uniform(*kind.assets),
        grade_style="local" if unit.key == "laojian" else r.choice(("bands", "bands", "bands", "words")),
        score_base=r.uniform(80, 88) if weak else r.uniform(89, 96),
        contact=contact, phone=phone,
        evaluator="部门（单位）评价组" if r.random() < 0.8 else "单位绩效评价工作小组",
    )


def _grade(score: float, style: str) -> str:
    if style == "local":
        return "三级"
    bands = ("优", "良", "中", "差") if style == "bands" else ("优秀", "良好", "中等", "差")
    return bands[0] if score >= 90 else bands[1] if score >= 80 else bands[2] if score >= 60 else bands[3]


# --- one report ---------------------------------------------------------------

def _unit_name(unit: D.Unit, year: int) -> str:
    name = unit.name
    for first, n in unit.names_by_year:
        if year >= first:
            name = n
    return name


def _short(name: str) -> str:
    short = name.removeprefix("岳阳市").removeprefix("云溪区")
    return "劳动监察大队" if "劳动和社会保障监察大队" in short else short


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _with_sums(table: str, row: dict) -> dict:
    """A row from its drawn fields, with its totals computed (IDENTITIES, innermost first)."""
    out = dict(row)
    for target, parts in reversed(IDENTITIES[table]):
        out[target] = _sum(*(out[f] for f in parts))
    return {f: out[f] for f in MONEY_FIELDS[table]}


def _split_rows(table: str, total: dict[str, int | None], orgs: list[str], shares: tuple) -> list[tuple]:
    """Split the 汇总 row over the org rows: each drawn field by share (rounded down;
    the last org takes what is left, so never below zero), totals recomputed."""
    rows = [{} for _ in orgs]
    for f in LEAVES[table]:
        v, left = total[f], total[f]
        for i, row in enumerate(rows):
            if v is None:
                row[f] = None
            elif i == len(rows) - 1:
                row[f] = left
            else:
                row[f] = int(v * shares[i])
                left -= row[f]
    return [(org, _with_sums(table, row)) for org, row in zip(orgs, rows)]


def _money_tables(p: Profile, year: int, r: random.Random) -> dict:
    """The four money tables (cents while drawing): parts drawn as shares of the total,
    the remainder (公共财政拨款, 公用支出, 在用) never below zero."""
    unit = p.unit
    total = _c(p.levels[year])

    def share(of: int, lo: float, hi: float) -> int:
        return int(round(of * r.uniform(lo, hi)))

    carry = share(total, 0.005, 0.12) if r.random() < 0.45 else None
    fund = (share(total, 0.03, 0.15) if unit.kind == "town" or (unit.sector in ("housing", "landres", "urban")
                                                                and r.random() < 0.6) else None)
    special = share(total, 0.01, 0.06) if unit.sector in ("market", "landres", "school") and r.random() < 0.5 else None
    if p.business:
        other = share(total, p.business * 0.93, p.business * 1.07)
    else:
        other = share(total, 0.005, 0.04) if r.random() < 0.12 else None
    fiscal = total - (_sum(carry, fund, special, other) or 0)
    assert fiscal > 0, (unit.key, year)   # the drawn shares add up to at most ~93%
    income = _with_sums("income", dict(carryover=carry, fiscal_appropriation=fiscal, fund_appropriation=fund,
                                       special_account_income=special, other_income=other))

    x = r.random()
    execution = 1.0 if x < 0.4 else r.uniform(0.9, 0.995) if x < 0.92 else r.uniform(EXECUTION_FLOOR, 0.9)
    spent = int(round(total * execution))
    project = share(spent, *(min(0.85, max(0.0, p.project_share + d)) for d in (-0.04, 0.04)))
    if unit.key == "laojian":
        project = r.choice((0, 20, 30, 50))   # the seed: 0.30万元 of 85.53
    basic = spent - project
    personnel = share(basic, *(min(0.97, p.personnel_share + d) for d in (-0.02, 0.02)))
    surplus_year = surplus_cum = None
    if p.surplus:
        surplus_year = total - spent
        # older balances are partly spent or returned, so the cumulative figure stays bounded
        p.cumulative = int(p.cumulative * r.uniform(0.4, 0.7)) + surplus_year
        surplus_cum = p.cumulative
    expenditure = _with_sums("expenditure", dict(personnel=personnel, public=basic - personnel, project=project,
                                                 surplus_year=surplus_year, surplus_cumulative=surplus_cum))

    if p.three_public == "blank":
        three = None
    else:
        # 三公 stay under 1% of spending: reception ≤ 0.3%, car upkeep ≤ 0.35%, a car bought ≤ 0.35%
        small = unit.kind in ("brigade", "school")
        rec = 0 if small and r.random() < 0.4 else share(spent, p.reception * 0.8, p.reception * 1.2)
        ops = share(spent, 0.001, 0.0035) if p.car else (0 if r.random() < 0.5 else None)
        buy = (min(_c(r.uniform(12, 22)), int(spent * 0.0035)) if p.car and spent >= _c(3500) and r.random() < 0.06
               else 0 if r.random() < 0.6 else None)
        three = _with_sums("three_public", dict(reception=rec, vehicle_operation=ops, vehicle_purchase=buy,
                                                overseas=0 if r.random() < 0.5 else None))

    fa_total = _c(p.assets * (1 + 0.04 * (year - D.YEARS[0])) * r.uniform(0.98, 1.02))
    if unit.key == "laojian":
        fa_total = _c(5.4 + 0.3 * (year - 2022))   # the seed: 5.40万元 in 2022
    leased = share(fa_total, 0.01, 0.06) if unit.kind == "town" and r.random() < 0.5 else None
    other_fa = share(fa_total, 0.01, 0.05) if r.random() < 0.25 else None
    assets = _with_sums("fixed_assets", dict(in_use=fa_total - (_sum(leased, other_fa) or 0), leased=leased,
                                             other=other_fa))

    tables = {"income": income, "expenditure": expenditure, "three_public": three, "fixed_assets": assets}
    out = {}
    name = _short(_unit_name(unit, year))
    for key, summary in tables.items():
        if summary is None:
            out[key] = []
            continue
        rows = [("汇总", summary)]
        if p.org_style == "second":
            rows += _split_rows(key, summary, ["局机关", *unit.second_level], p.org_shares)
        elif p.org_style == "mirror_self":
            rows.append((name, dict(summary)))
        elif p.org_style == "mirror_jiguan":
            rows.append(("局机关", dict(summary)))
        out[key] = [{"org": org, **{f: _w(v) for f, v in row.items()}} for org, row in rows]
    return out


def _case_sentence(spec: D.Cases, r: random.Random, trend: float, base: float,
                   amount_base: float) -> tuple[str, list[dict]]:
    """The breakdown sentence (contract grammar) and the `cases` rows it gives."""
    n = max(len(spec.labels) * 3, int(round(base * trend * r.uniform(0.9, 1.1))))
    weights = [max(0.02, s * r.uniform(0.75, 1.25)) for _, s in spec.labels]
    parts = [max(1, int(n * w / sum(weights))) for w in weights]
    parts[-1] = n - sum(parts[:-1])
    if parts[-1] < 1:
        parts[0] += parts[-1] - 1
        parts[-1] = 1
    m = spec.measure
    if spec.lead == "全年":
        head = f"全年{spec.verb}{spec.category}{n}{m}"
    else:
        head = f"{spec.lead}共{spec.verb}{spec.category}{n}{m}"
    if spec.category == "欠薪投诉":  # the seed's own punctuation
        seps = ["，", "、", "，"]
        items = "".join((seps[i - 1] if i else "") + f"{lab}{c}{m}" for i, ((lab, _), c) in enumerate(zip(spec.labels, parts)))
    else:
        items = "、".join(f"{lab}{c}{m}" for (lab, _), c in zip(spec.labels, parts))
    amount = None
    approx = False
    tail = ""
    if spec.amount:
        value = amount_base * trend * r.uniform(0.85, 1.15)
        if r.random() < 0.5:
            amount = float(int(value / 10) * 10)
            approx = True
            tail = f"，{spec.amount_words}累计达{int(amount)}{r.choice('余多')}万元"
        else:
            amount = round(value, 1)
            tail = f"，{spec.amount_words}累计达{_num_text(amount)}万元"
    sentence = f"{head}，其中{items}{tail}。"
    rows = [dict(category=spec.category, channel="total", channel_label=spec.category, count=n,
                 amount_wan=amount, approx=approx)]
    rows += [dict(category=spec.category, channel=D.channel_of(lab), channel_label=lab, count=c,
                  amount_wan=None, approx=False) for (lab, _), c in zip(spec.labels, parts)]
    return sentence, rows


def _indicator_value(ind: D.Ind, p: Profile, r: random.Random, trend: float) -> tuple[str | None, float | None, str | None]:
    if ind.kind == "pct":
        if ind.lo == ind.hi:
            v = ind.lo
        elif ind.hi == 100 and r.random() < 0.5:
            v = 100
        else:
            v = round(r.uniform(ind.lo, ind.hi), r.choice((0, 1, 2)))
        return f"{_num_text(v)}%", float(v), "%"
    if ind.kind in ("count", "money"):
        base = p.counts.setdefault(ind.name, r.uniform(ind.lo, ind.hi))
        if ind.kind == "count":
            v = max(1, int(round(base * trend * r.uniform(0.92, 1.08))))
        else:
            v = round(base * trend * r.uniform(0.92, 1.08), r.choice((0, 1, 2)))
        return f"{ind.prefix}{_num_text(v)}{ind.unit}", float(v), ind.unit
    return r.choice(ind.texts), None, None


def _indicators(p: Profile, sector: D.Sector, r: random.Random, trend: float, execution: float,
                cases: list[dict]) -> tuple[list[dict], dict]:
    """The sector's indicators plus the common ones, in template order; and the
    values the prose quotes (by indicator name)."""
    chosen = list(sector.indicators)
    chosen.append(D.Ind("产出目标", "成本指标", "总成本控制，不超过年初预算投入", "budget", "%"))
    chosen.append(D.Ind("效益目标", "社会公众或服务对象满意度", sector.satisfaction, "pct", "%", 93, 99))
    if cases:
        spec = sector.cases
        chosen.append(D.Ind("产出目标", "数量指标", f"{spec.verb}{spec.category}{'件数' if spec.measure == '件' else '数'}",
                            "cases", spec.measure))
    chosen.sort(key=lambda i: TEMPLATE_ORDER[(i.level1, i.level2)])
    out, quoted, seqs = [], {}, {}
    for ind in chosen:
        if ind.kind == "budget":
            text, value, unit = f"完成预算的{execution:.2f}%", round(execution, 2), "%"
        elif ind.kind == "cases":
            text, value, unit = f"{cases[0]['count']}{ind.unit}", float(cases[0]["count"]), ind.unit
        else:
            text, value, unit = _indicator_value(ind, p, r, trend)
        quoted[ind.name] = _num_text(value) if value is not None else text
        seq = seqs[(ind.level1, ind.level2)] = seqs.get((ind.level1, ind.level2), 0) + 1
        out.append(dict(level1=ind.level1, level2=ind.level2, seq=seq, name=ind.name, target_text=None,
                        actual_text=text, actual_value=value, actual_unit=unit, weight=None, score=None,
                        deviation_reason=None, _kind=ind.kind, _lo=ind.lo))
    return out, quoted


def _richen(indicators: list[dict], score: float, r: random.Random) -> None:
    """The provinces' richer layout: level names, targets, weights (sum 100),
    scores that add up to the self-score, deviation reasons where points were lost."""
    n = len(indicators)
    sat = [i for i in indicators if i["level2"] == "社会公众或服务对象满意度"]
    others = [i for i in indicators if i not in sat]
    for i in sat:
        i["weight"] = 10
    base, extra = divmod(90, len(others))
    for k, i in enumerate(others):
        i["weight"] = base + (1 if k < extra else 0)
    lost = int(round((100 - score) * 10))  # tenths of a point
    victims = r.sample(range(n), k=min(n, r.randint(1, 3)))
    for k, idx in enumerate(victims):
        ind = indicators[idx]
        take = lost if k == len(victims) - 1 else r.randint(0, lost)
        take = min(take, int(ind["weight"] * 10) - 5)
        lost -= take
        ind["score"] = (ind["weight"] * 10 - take) / 10
        if take:
            ind["deviation_reason"] = r.choice(DEVIATIONS)
    while lost > 0:  # what the chosen ones could not absorb
        for ind in indicators:
            room = int((ind["score"] if ind["score"] is not None else ind["weight"]) * 10) - 5
            take = min(room, lost)
            if take > 0:
                ind["score"] = ((ind["score"] if ind["score"] is not None else ind["weight"]) * 10 - take) / 10
                ind["deviation_reason"] = ind["deviation_reason"] or r.choice(DEVIATIONS)
                lost -= take
            if not lost:
                break
    for ind in indicators:
        if ind["score"] is None:
            ind["score"] = float(ind["weight"])
        ind["weight"] = float(ind["weight"])
        kind, lo = ind["_kind"], ind["_lo"]
        if kind == "pct":
            ind["target_text"] = "100%" if lo >= 100 else f"≥{_num_text(lo)}%"
        elif kind in ("count", "cases", "money") and ind["actual_value"] is not None:
            # a target the result met, or missed where points were lost
            factor = 1.1 if ind["deviation_reason"] else 0.9
            ind["target_text"] = f"≥{int(ind['actual_value'] * factor) + (1 if factor > 1 else 0)}{ind['actual_unit']}"
        elif kind == "budget":
            ind["target_text"] = "≤年初预算"
        else:
            ind["target_text"] = "按时完成" if ind["level1"] == "产出目标" else "有效提升"
        if ind["level2"] == "社会公众或服务对象满意度":
            ind["level1"], ind["level2"] = "满意度指标", "服务对象满意度指标"
        else:
            ind["level1"] = RICH_NAMES.get(ind["level1"], ind["level1"])


def _fill(template: str, values: dict) -> str:
    return re.sub(r"\{([^{}]+)\}", lambda m: str(values[m.group(1)]), template)


def _improvements(seed: int, key: str, year: int) -> str:
    """Three measures for next year; copy-paste units repeat their 2021 text."""
    if key in D.COPY_PASTE_UNITS and year > 2021:
        year = 2021
    picks = _rng(seed, "improvements", key, year).sample(D.IMPROVEMENT_MEASURES, 3)
    return f"{year + 1}年，我单位将从以下方面改进：一是{picks[0]}二是{picks[1]}三是{picks[2]}"


def build_record(p: Profile, year: int, seed: int) -> dict:
    """The record of one unit-year (before the document's own mess is applied)."""
    unit, sector = p.unit, D.SECTORS[p.unit.sector]
    r = _rng(seed, "report", unit.key, year)
    trend = 1 + 0.04 * (year - 2019) + (-0.12 if year == 2020 else 0)   # 2020: the pandemic year
    name = _unit_name(unit, year)
    full = D.REGION + name.removeprefix("云溪区") if name.startswith("云溪区") else name

    money = _money_tables(p, year, r)
    inc, exp = money["income"][0], money["expenditure"][0]
    execution = 100 * exp["total"] / inc["total"]
    cases, sentence = [], None
    if sector.cases:
        base = p.counts.setdefault("cases", _rng(seed, "cases", unit.key).uniform(*sector.cases.total))
        amount_base = p.counts.setdefault("amount", _rng(seed, "amount", unit.key).uniform(*(sector.cases.amount or (0, 1))))
        sentence, cases = _case_sentence(sector.cases, r, trend, base, amount_base)
    indicators, quoted = _indicators(p, sector, r, trend, execution, cases)
    values = dict(quoted, name=full, year=year, money=_num_text(round(p.levels[year] * r.uniform(0.15, 0.6), 2)),
                  area=r.randint(5000, 30000), checks=r.randint(3, 12), schools=r.randint(18, 32),
                  villages=r.randint(8, 16), classes=r.randint(18, 60), beds=r.randint(60, 320))

    s_lo, s_hi = D.KINDS[unit.kind].staff
    staff_q = min(s_hi, max(s_lo, int(round(p.staff * (1 + 0.01 * (year - 2019))))))
    staff_a = max(3, staff_q + r.choice((-3, -2, -1, 0, 0, 1, 1, 2)))
    if unit.key == "laojian":
        staff_q, staff_a = 6, r.choice((6, 7))
    score = min(99.0, max(70.0, p.score_base + r.uniform(-2.5, 2.5)))
    tasks = [_fill(t, values) for t in sector.tasks]
    if sentence:
        lead = "截止现在，" if unit.key == "laojian" else ""
        tasks.insert(0, lead + sentence.removeprefix("截至11月底，"))
    main_tasks = "\n".join(f"任务{i + 1}：{t}" for i, t in enumerate(tasks))
    summary = "全年各项工作任务顺利完成，部门整体支出绩效目标基本实现。"
    overall = (sentence + summary) if sentence else "".join(tasks[:2]) + summary
    goals = [_fill(g, values) for g in sector.goals]
    if sentence:
        goals.insert(0, f"{sector.cases.category}办结率100%。")
    completion = (sentence if sentence else "") + "".join(_fill(t, values) for t in sector.tasks) + \
        f"全年预算执行率{execution:.2f}%。"

    three = money["three_public"][0] if money["three_public"] else None
    tp = lambda f: _f2(_c(three[f])) if three and three[f] is not None else "0.00"  # noqa: E731
    basic_text = (f"{year}年{full}基本支出{exp['basic']:.2f}万元，其中人员支出{exp['personnel']:.2f}万元，主要用于"
                  f"{D.BASIC_USES}；公用支出{exp['public']:.2f}万元，主要用于{D.PUBLIC_USES}。\n"
                  f"“三公”经费支出情况。“三公”经费支出合计{tp('total')}万元，其中：公务接待费{tp('reception')}万元，"
                  f"公务用车运行维护费{tp('vehicle_operation')}万元，公务用车购置费{tp('vehicle_purchase')}万元，"
                  f"因公出国（境）费{tp('overseas')}万元。严格控制“三公”经费支出。")
    project_text = (f"{year}年度项目支出{exp['project']:.2f}万元，主要用于业务工作经费和专项工作支出，"
                    "项目资金严格按照预算和相关管理办法使用。" if exp["project"] else f"{year}年度我单位无项目支出。")
    fund = inc["fund_appropriation"]
    fund_text = (f"{year}年度政府性基金预算支出{fund:.2f}万元，主要用于城乡社区建设。" if fund
                 else f"{year}年度我单位无政府性基金预算支出。")
    perf = []
    topics = list(sector.topics)
    body = ([sentence] if sentence else []) + tasks[1 if sentence else 0:] + [f"全年预算执行率{execution:.2f}%。"]
    if topics and r.random() < 0.6:
        for k, text in enumerate(body):
            heading = f"（{'一二三四五六'[k]}）{topics[k]}" if k < len(topics) else None
            perf += [heading, text] if heading else [text]
    else:
        perf = body
    problems = r.sample(sector.problems + D.COMMON_PROBLEMS, k=2)
    narrative = dict(
        overview=_fill(sector.overview, values) + f"单位核定编制{staff_q}名，年末实有人员{staff_a}名。",
        basic_expenditure=basic_text, project_expenditure=project_text, government_fund=fund_text,
        state_capital=f"{year}年度我单位无国有资本经营预算支出。",
        social_insurance_fund=f"{year}年度我单位无社会保险基金预算支出。",
        performance="\n".join(perf),
        problems=f"{year}年，我单位工作取得了一定成绩，但也存在一些问题。一是{problems[0]}二是{problems[1]}",
        improvements=_improvements(seed, unit.key, year),
        other="无" if r.random() < 0.85 else None,
    )
    day = date(year + 1, 4, 10) + timedelta(days=r.randint(0, 110))
    if unit.key == "lukou_z" and year == 2021:  # seen in real reports: dated before the year closed
        day = date(year, 12, 31)
    record = {
        "report": dict(region=D.REGION, fiscal_year=year, unit_name=name, budget_code=unit.code,
                       evaluation_method="部门（单位）绩效自评", evaluator=p.evaluator, report_date=day.isoformat(),
                       contact=p.contact if not p.contact.startswith(D.REGION) else D.REGION + name.removeprefix("云溪区"),
                       phone=p.phone, staff_quota=staff_q, staff_actual=staff_a, functions=sector.functions,
                       main_tasks=main_tasks, overall_results=overall, self_score=None, grade=None),
        **money,
        "goals": [dict(seq=i + 1, text=g) for i, g in enumerate(goals)],
        "goals_completion": completion,
        "indicators": indicators,
        "cases": cases,
        "narrative": narrative,
        "source": {},
    }
    record["report"]["self_score"] = round(score) if r.random() < 0.7 else round(score, 1)
    return record


# --- the corpus ---------------------------------------------------------------

@dataclass
class Item:
    unit: D.Unit
    year: int
    record: dict
    fmt: str = "docx"
    opts: RenderOptions = RenderOptions()
    notes: list = field(default_factory=list)
    planted: list = field(default_factory=list)   # identities that do not hold on purpose (_misstate)

    @property
    def stem(self) -> str:
        return f"{self.year}_{self.record['report']['unit_name']}_部门整体支出绩效自评报告"


def plan(seed: int = 0) -> list[Item]:
    """Every unit-year record with its format and mess, before any file is written."""
    items: list[Item] = []
    for unit in D.UNITS:
        p = _profile(unit, seed)
        for year in unit.years:
            if unit.key == "laojian" and year == 2022:
                continue  # the real seed report is this unit-year
            items.append(Item(unit, year, build_record(p, year, seed)))
    r = _rng(seed, "plan")
    for it in items:
        rich = it.year >= 2023 and _rng(seed, "layout", it.unit.key).random() < 0.7
        score = it.record["report"]["self_score"]
        if rich:
            score = round(score, 1)
            _richen(it.record["indicators"], score, _rng(seed, "rich", it.unit.key, it.year))
            score = round(sum(i["score"] for i in it.record["indicators"]), 1)
        style = _profile(it.unit, seed).grade_style
        it.record["report"]["self_score"] = int(score) if float(score).is_integer() else score
        it.record["report"]["grade"] = _grade(score, style)
        x = r.random()
        it.fmt = "txt" if x < 0.15 else "html" if x < 0.18 else "docx"
        combine = frozenset({"社会效益"}) if r.random() < 0.2 else frozenset()
        it.opts = RenderOptions(
            indicator_layout="rich" if rich else "template",
            wrap_labels=r.random() < 0.15,
            combine_level2=combine,
            outline_numbers=r.random() < 0.8,
            date_style="padded" if r.random() < 0.3 else "spaced",
            annex_label="附件1" if r.random() < 0.2 else None,
            encoding="gb18030" if it.fmt == "txt" and r.random() < 0.35 else "utf-8",
        )
    _plant(items, seed)
    _choose_prose(items, seed)
    for it in items:
        for ind in it.record["indicators"]:
            ind.pop("_kind", None)
            ind.pop("_lo", None)
    return items


def _find(items: list[Item], key: str, year: int) -> Item:
    return next(i for i in items if i.unit.key == key and i.year == year)


def _transposed(value: float) -> float:
    """`value` with two neighbouring digits typed the wrong way round (units and tenths,
    else tens and units, else the two decimals): a typo worth a few 万元 at most."""
    digits = list(f"{value:.2f}".replace(".", ""))
    n = len(digits)
    for k in (n - 3, n - 4, n - 2):
        if k >= 0 and digits[k] != digits[k + 1]:
            digits[k], digits[k + 1] = digits[k + 1], digits[k]
            break
    return int("".join(digits)) / 100


def _misstate(it: Item, table: str, org: str, **deltas: float) -> None:
    """Change fields of one row by `deltas` (万元) and list in `it.planted` every identity
    this breaks, with its difference: row[field] − sum of its parts, or 汇总[field] − sum of org rows."""
    rows = it.record[table]
    row = next(r for r in rows if r["org"] == org)
    diffs: dict[tuple, float] = {}
    for f, d in deltas.items():
        row[f] = round(row[f] + d, 2)
        for target, parts in IDENTITIES[table]:
            if f == target:
                diffs[(org, target, "parts")] = diffs.get((org, target, "parts"), 0) + d
            elif f in parts:
                diffs[(org, target, "parts")] = diffs.get((org, target, "parts"), 0) - d
        if len(rows) > 1:
            diffs[("汇总", f, "orgs")] = diffs.get(("汇总", f, "orgs"), 0) + (d if org == "汇总" else -d)
    it.planted += [dict(table=table, org=o, field=f, sum_of=of, difference=round(float(d), 2))
                   for (o, f, of), d in diffs.items() if round(d, 2)]


def _plant(items: list[Item], seed: int) -> None:
    """The mess of issue 3, each in a named place (listed in manifest.json)."""
    def note(it: Item, what: str) -> None:
        it.notes.append(what)

    # Ten PDFs, spread over units and years.
    for key, year in (("jiaoyu", 2021), ("shichang", 2022), ("xinfang", 2020), ("shengtai", 2023),
                      ("lukou_z", 2022), ("yizhong", 2024), ("renmin_yy", 2019), ("shuili", 2022),
                      ("shebao", 2021), ("chengguan", 2024)):
        _find(items, key, year).fmt = "pdf"
    # A report in 元 (with thousands separators), and a dump in 元 without them.
    it = _find(items, "jiaotong", 2021)
    it.fmt, it.opts = "docx", _with(it.opts, money_unit="元", thousands=True)
    note(it, "money in 元 with thousands separators")
    it = _find(items, "minzheng", 2020)
    it.fmt, it.opts = "txt", _with(it.opts, money_unit="元")
    note(it, "money in 元")
    # Full-width digits.
    for key, year in (("nongye", 2019), ("sifa", 2023), ("changling_jd", 2022)):
        it = _find(items, key, year)
        it.opts = _with(it.opts, fullwidth=True)
        note(it, "full-width digits in number cells")
    # Wrapped labels everywhere in a few more.
    for key, year in (("fagai", 2020), ("lucheng_z", 2021), ("jikong", 2024)):
        it = _find(items, key, year)
        it.opts = _with(it.opts, wrap_labels=True)
        note(it, "labels wrapped across lines")
    # One report missing a section.
    it = _find(items, "tongji", 2022)
    it.opts = _with(it.opts, omit=frozenset({"three_public"}))
    note(it, "missing section: 三公经费 table")
    # Indicators with blank results.
    for key, year, k in (("weijian", 2020, 1), ("zhujian", 2022, 2), ("songyanghu_jd", 2019, 1),
                         ("shiyan", 2023, 1)):
        it = _find(items, key, year)
        inds = it.record["indicators"]
        for idx in _rng(seed, "blank", key, year).sample(range(len(inds) - 1), k=k):
            inds[idx].update(actual_text=None, actual_value=None, actual_unit=None)
            note(it, f"blank result: {inds[idx]['level2']} 指标{inds[idx]['seq']}")
    # Arithmetic that does not add up (the record keeps what the document says):
    # typos and forgotten rows of a few 万元, each listed with its differences.
    it = _find(items, "wenlv", 2020)
    _misstate(it, "expenditure", "汇总", total=12.6)
    note(it, "expenditure 汇总: total ≠ basic + project (+12.60)")
    it = _find(items, "yingji", 2022)
    _misstate(it, "income", "汇总", fiscal_appropriation=-23.4)
    note(it, "income 汇总: total ≠ sum of sources (−23.40 in 公共财政拨款)")
    it = _find(items, "renshe", 2023)
    _misstate(it, "expenditure", "局机关", personnel=30, basic=30, total=30)
    note(it, "expenditure: 汇总 ≠ 局机关 + 二级机构 (局机关 +30.00)")
    it = _find(items, "zhongyi_yy", 2021)
    _misstate(it, "three_public", "汇总", total=1.5)
    note(it, "三公 汇总: total ≠ sum of parts (+1.50)")
    it = _find(items, "shuili", 2021)
    stated = it.record["fixed_assets"][0]["total"]
    typed = _transposed(stated)
    _misstate(it, "fixed_assets", "汇总", total=round(typed - stated, 2))
    note(it, f"fixed assets 汇总: total typed {typed:.2f} for {stated:.2f}")
    # Rich-layout reports whose stated score differs from the sum of indicator scores.
    for key, year in (("shangwu", 2024),):
        it = _find(items, key, year)
        if it.opts.indicator_layout == "rich":
            it.record["report"]["self_score"] = round(it.record["report"]["self_score"] + 2, 1)
            note(it, "self_score ≠ sum of indicator scores (+2)")


def _choose_prose(items: list[Item], seed: int) -> None:
    """Real districts receive both families: about PROSE_SHARE of the documents
    become Hunan prose reports (demo/render.py ProseStyle, the survey's variants
    drawn per document), at most one per unit and spread evenly over the years.

    Only where the unit keeps its identity and nothing planted is lost: a unit
    whose name leads with the district (a prose title writes "岳阳市云溪区信访局",
    which the reader files under 岳阳市云溪区 and the query layer joins to the
    coded years of "云溪区信访局"; "岳阳市生态环境局云溪分局" would read as a unit
    of 岳阳市), not a unit of a merge (those are tied by budget code, which prose
    lacks), and not a document carrying a planted mess (PDF, 元, full-width
    digits, blank results, inconsistencies): prose has no tables to carry them."""
    merged = {name for olds, new, _ in D.MERGES for name in (*olds, new)}
    pool = [it for it in items
            if it.fmt in ("docx", "txt") and not it.notes and not it.planted
            and it.unit.name not in merged and it.unit.name.startswith("云溪区")
            and all(n.startswith("云溪区") for _, n in it.unit.names_by_year)]
    r = _rng(seed, "prose")
    r.shuffle(pool)
    wanted = round(PROSE_SHARE * len(items))
    per_year = -(-wanted // len(D.YEARS))
    units, years = set(), Counter()
    for it in pool:
        if len(units) == wanted:
            break
        if it.unit.key in units or years[it.year] >= per_year:
            continue
        units.add(it.unit.key)
        years[it.year] += 1
        rs = _rng(seed, "prose-style", it.unit.key, it.year)
        style = ProseStyle(
            layout=rs.choice(("hunan", "hunan", "score_first", "township", "decimal")),
            title=rs.choices(("plain", "about", "wrapped", "no_year"), weights=(5, 2, 2, 2))[0],
            staff=rs.choice(("quota", "quota", "in_service", "headcount", "typed")),
            retirees=int(it.record["report"]["staff_actual"] * rs.uniform(0.15, 0.6)) + 1,
            totals=rs.random() < 0.6, funds=rs.random() < 0.5, doc_number=rs.randint(2, 30),
            brackets=rs.choices(("〔〕", "【】", "lost"), weights=(6, 3, 1))[0],
        )
        it.fmt = "docx" if rs.random() < 0.6 else "txt"
        yuan = rs.random() < 0.15
        it.opts = _with(it.opts, prose=style, money_unit="元" if yuan else "万元", thousands=yuan,
                        encoding="gb18030" if it.fmt == "txt" and rs.random() < 0.35 else "utf-8")
        it.notes.append(f"prose report ({style.layout}; title {style.title}; staff {style.staff}"
                        + ("" if style.totals else "; totals not stated") + ("; money in 元" if yuan else "") + ")")


def _with(opts: RenderOptions, **changes) -> RenderOptions:
    return replace(opts, **changes)


def _expected(it: Item, name: str, data: bytes) -> dict:
    return expected_record(it.record, it.opts, fmt=it.fmt, file_name=name, data=data)


def generate(out_dir, seed: int = 0, units: list[str] | None = None, years: list[int] | None = None,
             with_seed: bool = True, pdf: bool = True) -> list[Path]:
    """Write the corpus into `out_dir`; returns the document paths (sorted).

    `units` (unit keys) and `years` restrict it to a subset (tests); `pdf=False`
    writes the would-be PDFs as .docx (no LibreOffice needed).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    items = [i for i in plan(seed) if (units is None or i.unit.key in units) and (years is None or i.year in years)]
    written: list[Path] = []
    pdf_items = [i for i in items if i.fmt == "pdf"]
    if not pdf or soffice_path() is None:
        for i in pdf_items:
            i.fmt = "docx"
        pdf_items = []

    # Start LibreOffice on the PDFs first; write everything else while it runs.
    job = None
    tmp = Path(tempfile.mkdtemp(prefix="demo-pdf-")) if pdf_items else None
    if pdf_items:
        sources = []
        for it in pdf_items:
            src = tmp / f"{it.stem}.docx"
            src.write_bytes(render_docx(it.record, it.opts))
            sources.append(src)
        job = _Conversion(sources, "pdf", tmp / "out")

    for it in items:
        if it.fmt == "pdf":
            continue
        data = {"docx": render_docx, "txt": render_txt, "html": render_html}[it.fmt](it.record, it.opts)
        name = f"{it.stem}.{it.fmt}"
        (out / name).write_bytes(data)
        _write_json(out / f"{it.stem}.json", _expected(it, name, data))
        written.append(out / name)

    if job is not None:
        for it, pdf_path in zip(pdf_items, job.wait()):
            data = pdf_path.read_bytes()
            name = f"{it.stem}.pdf"
            (out / name).write_bytes(data)
            _write_json(out / f"{it.stem}.json", _expected(it, name, data))
            written.append(out / name)
        shutil.rmtree(tmp, ignore_errors=True)

    if with_seed and (years is None or 2022 in years) and (units is None or "laojian" in units):
        written.append(_copy_seed(out))
    _write_manifest(out, items)
    return sorted(written)


class _Conversion:
    """One LibreOffice run converting many files, started now, collected by wait()."""

    def __init__(self, sources: list[Path], fmt: str, out_dir: Path):
        import threading
        self.result: list[Path] | None = None
        self.error: BaseException | None = None

        def run():
            try:
                self.result = convert(sources, fmt, out_dir)
            except BaseException as exc:  # re-raised in wait()
                self.error = exc
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait(self) -> list[Path]:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result or []


def _copy_seed(out: Path) -> Path:
    """The real report, as itself: its bytes and its hand-written record (demo false)."""
    dest = out / SEED_FILE.name
    data = SEED_FILE.read_bytes()
    dest.write_bytes(data)
    record = json.loads(SEED_RECORD.read_text(encoding="utf-8"))
    record["source"].update(demo=False, sha256=hashlib.sha256(data).hexdigest(), file_name=SEED_FILE.name)
    for ind in record["indicators"]:
        ind.setdefault("deviation_reason", None)
    _write_json(out / f"{SEED_FILE.stem}.json", record)
    return dest


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_manifest(out: Path, items: list[Item]) -> None:
    manifest = {
        "region": D.REGION,
        "years": list(D.YEARS),
        "renames": [dict(old=o, new=n, from_year=y) for o, n, y in D.RENAMES],
        "merges": [dict(old=list(o), new=n, from_year=y) for o, n, y in D.MERGES],
        "new_units": [dict(name=n, from_year=y) for n, y in D.NEW_UNITS],
        "documents": [dict(file=f"{i.stem}.{i.fmt}", unit=i.record["report"]["unit_name"], year=i.year,
                           format=i.fmt, template=PROSE_TEMPLATE_ID if i.opts.prose else TEMPLATE_ID,
                           prose_layout=i.opts.prose.layout if i.opts.prose else None,
                           indicator_layout=None if i.opts.prose else i.opts.indicator_layout,
                           money_unit=i.opts.money_unit,
                           encoding=i.opts.encoding if i.fmt in ("txt", "html") else None, notes=i.notes,
                           inconsistencies=i.planted)
                      for i in items],
    }
    _write_json(out / "manifest.json", manifest)
    with open(out / "unit_aliases.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["region", "alias", "canonical", "note"])
        for old, new, year in D.RENAMES:
            w.writerow([D.REGION, old, new, f"{year}年更名"])
        for olds, new, year in D.MERGES:
            for old in olds:
                code = next(u.code for u in D.UNITS if u.name == old)
                w.writerow([D.REGION, code, new, f"{year}年{old}并入"])


def main(argv: list[str] | None = None, prog: str = "python -m demo") -> int:
    parser = argparse.ArgumentParser(prog=prog,
                                     description="生成演示区县（岳阳市云溪区）的自评报告文档及其期望记录。")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR", help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    parser.add_argument("--no-pdf", action="store_true", help="write the PDF share as .docx (no LibreOffice)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        paths = generate(args.out, seed=args.seed, pdf=not args.no_pdf)
    except (OSError, RuntimeError) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.suffix] = counts.get(p.suffix, 0) + 1
    summary = ", ".join(f"{n} {ext}" for ext, n in sorted(counts.items()))
    print(f"{len(paths)} documents ({summary}) in {args.out} ({time.perf_counter() - start:.1f} s)")
    return 0

