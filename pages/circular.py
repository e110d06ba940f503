"""通报: the year's circular on the units' self-evaluations (bureau/circular.py), previewed here
and downloaded as Word or PDF."""
import streamlit as st

import ui
from bureau import circular, store
from ui import auth, documents, style

f = ui.page_start("通报", "生成年度部门整体支出绩效自评情况通报（Word / PDF）：年度数字与上年比较、单位排名与等次、"
                        "得分分布、勾稽不符、抽查名单。", show_filters=False)
auth.require("绩效科")
years = ui.fetch("years")
units = ui.fetch("units")
if years is None or years.empty or units is None:
    st.stop()
choices = sorted((int(y) for y in years["fiscal_year"]), reverse=True)
c1, c2 = st.columns(2)
year = c1.selectbox("年度", choices, index=0, key="ci_year")
regions = sorted(r for r in units["region"].dropna().unique())
region = c2.selectbox("地区", ["（全部地区）", *regions], index=0, key="ci_region")
region = None if region == "（全部地区）" else region

rows = ui.fetch("circular_reports", years=[year - 1, year], region=region)
if rows is None:
    st.stop()
cur, prev = rows[rows["fiscal_year"] == year], rows[rows["fiscal_year"] == year - 1]
if cur.empty:
    st.info(f"{year}年度没有符合条件的报告。", icon=":material/info:")
    st.stop()


def mean(s):
    s = s.dropna()
    return None if s.empty else float(s.mean())


a, b, c, d = st.columns(4)
ui.metric(a, "报告数", style.num(len(cur)), style.delta(len(cur) - len(prev), 0) if len(prev) else None)
total, ptotal = cur["expenditure_total"].dropna().sum(), prev["expenditure_total"].dropna().sum()
ui.metric(b, "支出合计（万元）", style.wan(total, unit=False), style.delta(total - ptotal) if len(prev) else None)
rate, prate = mean(cur["execution_rate"]), mean(prev["execution_rate"])
ui.metric(c, "平均预算执行率", style.pct(rate), style.delta(None if rate is None or prate is None else rate - prate,
                                                          suffix=" 个百分点"))
score, pscore = mean(cur["self_score"]), mean(prev["self_score"])
ui.metric(d, "平均自评得分", style.num(score, 2), style.delta(None if score is None or pscore is None else score - pscore))
st.caption(f"勾稽不符 {int(cur['mismatches'].sum())} 条。复核得分、等次与抽查名单在生成的文件中列出。")
try:
    fig, shown = circular.distribution_figure(documents.circular_data(year, region))  # the files print this figure
except (ui.DataError, store.BureauError) as exc:
    st.warning(f"得分分布图暂时无法显示：{exc}")
else:
    ui.chart(fig, shown, None, "ci_dist", title=f"{year}年自评得分与复核得分分布",
             labels={"bin_label": "得分区间", "bin_low": "区间下限", "series": "口径", "reports": "报告数"}, height=380)

stem = f"{region or ''}{year}年度部门整体支出绩效自评情况通报"
documents.buttons(lambda fmt: documents.circular_loader(year, region, fmt), stem, "ci_doc")
if not documents.pdf_ready():
    st.warning("本机未安装 LibreOffice，暂不能生成PDF；Word版本可正常生成。", icon=":material/warning:")
st.caption("PDF 较慢（数千个单位时约需半分钟），点击后请稍候。")
ui.table(cur, "circular_reports", "ci_rows", title=f"{year}年通报单位清单",
         columns=["unit_name", "region", "sector", "self_score", "grade", "implied_grade", "execution_rate",
                  "expenditure_total", "mismatches"])
