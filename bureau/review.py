"""复核 helpers the page uses (no Streamlit): the review list with statuses, and the
findings of one report keyed so that a verdict can be stored against each."""
from __future__ import annotations

import pandas as pd

from bureau import store

STATUSES = ("未复核", "已复核", "报告已更新需重新复核")


def review_list(queue: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """The queue (review_queue rows) with the current review and its status."""
    cols = ["unit_key", "fiscal_year", "review_score", "review_grade", "reviewer_display", "reviewed_at", "version"]
    merged = queue.merge(reviews[cols] if not reviews.empty else pd.DataFrame(columns=cols),
                         how="left", on=["unit_key", "fiscal_year"])
    merged["status"] = store.review_status(queue, reviews.reindex(columns=store.REVIEW_COLUMNS)).to_numpy()
    merged["version"] = pd.to_numeric(merged["version"], errors="coerce").fillna(0).astype(int)
    return merged


def findings(checks: pd.DataFrame | None, signals: pd.DataFrame | None, warnings: pd.DataFrame | None,
             report_id: int) -> list[dict]:
    """One dict per finding of the report: finding_key, kind (不符/提示/信号/警告), finding (text)."""
    out: list[dict] = []
    if checks is not None and not checks.empty:
        for i, r in enumerate(checks[checks["report_id"] == report_id].itertuples(index=False)):
            text = f"{r.rule_name}" + (f"（{r.org}）" if isinstance(r.org, str) and r.org else "") + f"：{r.figures}"
            out.append({"finding_key": f"check:{r.rule}:{r.org}:{i}", "kind": r.severity, "finding": text})
    if signals is not None and not signals.empty:
        for r in signals[signals["report_id"] == report_id].itertuples(index=False):
            out.append({"finding_key": f"signal:{r.signal}", "kind": "信号", "finding": f"{r.signal_name}：{r.detail}"})
    if warnings is not None and not warnings.empty:
        for r in warnings[warnings["report_id"] == report_id].itertuples(index=False):
            out.append({"finding_key": f"warning:{r.warning_no}", "kind": "读取警告", "finding": str(r.warning)})
    return out
