"""抽查: draw a sample of a year's reports, reproducibly.

A draw depends only on (the reports, sorted by unit_key; the rule; the seed): the same
seed over the same reports gives the same sample. Methods:
- random: N units (or a share, rounded up) drawn uniformly without replacement;
- risk: drawn without replacement with probability proportional to the risk weight
    weight = 1 + 2·不符 + 1·提示 + 1.5·信号 + 3·(自评高而执行低) + 2·(支出 ≥ 当年支出的第90百分位)
  (Efraimidis–Spirakis keys u^(1/weight) with u from the seeded generator).
Stratified by 行业: the sample size is split over the sectors in proportion to their
report counts (largest remainders, at least one per sector while the size allows), and
drawn in each sector with the same rule.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

WEIGHT_FORMULA = ("风险权重 = 1 + 2×不符数 + 1×提示数 + 1.5×信号数 + 3×（自评高而执行低）"
                  " + 2×（支出合计不低于当年第90百分位）")


def risk_weights(reports: pd.DataFrame) -> pd.Series:
    spend = pd.to_numeric(reports.get("expenditure_total"), errors="coerce")
    big = (spend >= spend.quantile(0.9)).fillna(False) if spend.notna().any() else pd.Series(False, index=reports.index)

    def num(col: str) -> pd.Series:
        if col not in reports:
            return pd.Series(0.0, index=reports.index)
        return pd.to_numeric(reports[col], errors="coerce").fillna(0).astype(float)

    hsle = reports.get("high_score_low_execution", pd.Series(False, index=reports.index)).fillna(False).astype(bool)
    return 1 + 2 * num("mismatches") + num("notices") + 1.5 * num("signals") + 3.0 * hsle + 2.0 * big.astype(bool)


def _reason(row) -> str:
    parts = []
    for col, label in (("mismatches", "不符"), ("notices", "提示"), ("signals", "信号")):
        if (v := row.get(col)) and not pd.isna(v) and v > 0:
            parts.append(f"{label}{int(v)}项")
    if row.get("high_score_low_execution") is True:
        parts.append("自评高而执行低")
    return "、".join(parts)


def sample_size(total: int, count: int | None = None, share: float | None = None) -> int:
    if share is not None:
        return min(total, max(1, math.ceil(total * share)))
    return min(total, max(0, int(count or 0)))


def _pick(frame: pd.DataFrame, k: int, method: str, rng: np.random.Generator) -> pd.DataFrame:
    if k <= 0 or frame.empty:
        return frame.iloc[:0]
    u = rng.random(len(frame))
    if method == "risk":
        keys = np.log(u) / frame["weight"].to_numpy()  # log of u^(1/w): larger is picked
        order = np.argsort(-keys, kind="stable")
    else:
        order = np.argsort(u, kind="stable")
    return frame.iloc[order[:k]]


def _allocate(sizes: pd.Series, k: int) -> dict:
    total = int(sizes.sum())
    if k >= total:
        return sizes.to_dict()
    quota = sizes * k / total
    alloc = np.floor(quota).astype(int)
    if k >= len(sizes):
        alloc = alloc.clip(lower=1)
    while alloc.sum() > k:
        alloc[alloc.idxmax()] -= 1
    remainder = (quota - alloc).sort_values(ascending=False, kind="stable")
    for sector in remainder.index:
        if alloc.sum() >= k:
            break
        if alloc[sector] < sizes[sector]:
            alloc[sector] += 1
    return alloc.to_dict()


def draw(reports: pd.DataFrame, *, method: str, seed: int, count: int | None = None, share: float | None = None,
         stratified: bool = False) -> pd.DataFrame:
    """The sample: the chosen rows of `reports` (unit_key, unit_name, sector, finding counts…)
    with weight and reason, in draw order."""
    if method not in ("random", "risk"):
        raise ValueError(method)
    frame = reports.drop_duplicates("unit_key").sort_values("unit_key", kind="stable").reset_index(drop=True)
    frame["weight"] = risk_weights(frame)
    frame["reason"] = [("风险权重 %.1f" % w + (f"（{r}）" if r else "")) if method == "risk" else "随机抽取"
                       for w, r in zip(frame["weight"], frame.apply(_reason, axis=1))]
    k = sample_size(len(frame), count, share)
    rng = np.random.default_rng(int(seed))
    if not stratified:
        return _pick(frame, k, method, rng).reset_index(drop=True)
    frame["sector"] = frame["sector"].fillna("未分类")
    sizes = frame.groupby("sector", sort=True).size()
    parts = [_pick(frame[frame["sector"] == sector], n, method, rng) for sector, n in _allocate(sizes, k).items()]
    return pd.concat(parts).reset_index(drop=True) if parts else frame.iloc[:0]


def rule_text(method: str, seed: int, count: int | None = None, share: float | None = None,
              stratified: bool = False, size: int = 0) -> str:
    how = "随机抽取" if method == "random" else "按风险加权抽取"
    amount = f"{share * 100:g}%（{size} 个单位）" if share is not None else f" {size} 个单位"
    return f"{how}{amount}{'，按行业分层' if stratified else ''}（种子 {seed}）"
