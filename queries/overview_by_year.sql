-- title: 年度概览
-- group: 概览
-- description: 每年一行：报告单位数、支出合计、预算执行率中位数、自评得分中位数、核查发现与可信度信号的个数，
--   及与上年的比较。
-- formula: 支出合计 = 各报告支出合计之和（见 budget_execution 的支出合计口径；空白不计，
--   其份数另列，合计因此可能偏小）；
--   预算执行率 = 报告所述执行率，无则 支出÷预算，再无则 支出÷收入（见 budget_execution）；
--   核查发现 = consistency_checks 的条数（“不符”与“提示”分计），信号 = credibility_signals 的条数；
--   变化 = 本年 − 上年，变化率 = (本年 − 上年) ÷ 上年 × 100。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column units_reporting: 报告单位数
-- column expenditure_total: 支出合计（万元）
-- column reports_without_expenditure: 支出空白的报告（份） — 未计入支出合计
-- column median_execution_rate: 预算执行率中位数（%）
-- column median_self_score: 自评得分中位数
-- column mismatches: 勾稽不符（条）
-- column notices: 核查提示（条）
-- column signals: 可信度信号（条）
-- column prev_units_reporting: 上年报告单位数
-- column units_change: 单位数变化
-- column prev_expenditure_total: 上年支出合计（万元）
-- column expenditure_change_pct: 支出变化率（%）
-- column prev_median_execution_rate: 上年执行率中位数（%）
-- column execution_rate_change: 执行率中位数变化（百分点）
-- column prev_median_self_score: 上年得分中位数
-- column self_score_change: 得分中位数变化
-- column prev_flags: 上年核查发现与信号（条）
-- column flags_change: 核查发现与信号变化（条）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from flagged_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

per_report as (
    select
        r.report_id,
        r.fiscal_year,
        r.unit_id,
        r.self_score,
        r.is_demo,
        r.expenditure_total,
        r.execution_rate,
        r.mismatches,
        r.notices,
        r.signals
    from reports as r
),

per_year as (
    select
        fiscal_year,
        count(distinct unit_id) as units_reporting,
        round(sum(expenditure_total), 2) as expenditure_total,
        count(*) filter (where expenditure_total is null) as reports_without_expenditure,
        round(median(execution_rate), 2) as median_execution_rate,
        round(median(self_score), 2) as median_self_score,
        sum(mismatches)::bigint as mismatches,
        sum(notices)::bigint as notices,
        sum(signals)::bigint as signals,
        bool_or(is_demo) as is_demo
    from per_report
    group by fiscal_year
),

final as (
    select
        cur.fiscal_year,
        cur.units_reporting,
        cur.expenditure_total,
        cur.reports_without_expenditure,
        cur.median_execution_rate,
        cur.median_self_score,
        cur.mismatches,
        cur.notices,
        cur.signals,
        prev.units_reporting as prev_units_reporting,
        cur.units_reporting - prev.units_reporting as units_change,
        prev.expenditure_total as prev_expenditure_total,
        round((cur.expenditure_total - prev.expenditure_total) / nullif(prev.expenditure_total, 0) * 100, 2) as expenditure_change_pct,
        prev.median_execution_rate as prev_median_execution_rate,
        round(cur.median_execution_rate - prev.median_execution_rate, 2) as execution_rate_change,
        prev.median_self_score as prev_median_self_score,
        round(cur.median_self_score - prev.median_self_score, 2) as self_score_change,
        prev.mismatches + prev.notices + prev.signals as prev_flags,
        (cur.mismatches + cur.notices + cur.signals) - (prev.mismatches + prev.notices + prev.signals) as flags_change,
        cur.is_demo
    from per_year as cur
    left join per_year as prev on prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
order by fiscal_year
