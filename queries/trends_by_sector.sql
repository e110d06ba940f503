-- title: 行业年度趋势
-- group: 概览
-- description: 每个行业每年一行：单位数、支出合计及占当年比例、执行率与得分的中位数、核查发现与信号个数、支出变化。
--   即按行业拆开的 overview_by_year。
-- formula: 支出合计 = 该行业各报告支出表汇总行“支出合计”之和（空白不计）；
--   占当年支出比例 = 该行业支出合计 ÷ 当年各行业支出合计 × 100（单位、数据类别筛选同样适用，行业筛选不影响分母）；
--   预算执行率 = 报告所述，无则 支出÷预算，再无则 支出÷收入（见 budget_execution）；中位数只计有数值的报告；
--   核查发现 = consistency_checks 的条数（“不符”与“提示”分计），信号 = credibility_signals 的条数；
--   支出变化率 = (本年 − 上年) ÷ 上年 × 100，上年为同一行业的上一财政年度。
-- params: filters
-- stored: by year
-- column fiscal_year: 年度
-- column sector: 行业
-- column units_reporting: 报告单位数
-- column reports: 报告数
-- column expenditure_total: 支出合计（万元）
-- column expenditure_share_pct: 占当年支出比例（%）
-- column median_execution_rate: 预算执行率中位数（%）
-- column median_self_score: 自评得分中位数
-- column mismatches: 勾稽不符（条）
-- column notices: 核查提示（条）
-- column signals: 可信度信号（条）
-- column flags: 核查发现与信号（条）
-- column prev_expenditure_total: 上年支出合计（万元）
-- column expenditure_change_pct: 支出变化率（%）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

-- every sector (the share's denominator), this year and the one before
reports as (
    select * from flagged_reports($years, $year_from, $year_to, $units, null, $data_kind)
),

per_report as (
    select
        r.fiscal_year,
        r.sector,
        r.unit_id,
        r.self_score,
        r.expenditure_total,
        r.execution_rate,
        r.is_demo,
        r.mismatches,
        r.notices,
        r.signals
    from reports as r
),

per_sector as (
    select
        fiscal_year,
        sector,
        count(distinct unit_id) as units_reporting,
        count(*) as reports,
        sum(expenditure_total) as expenditure_total,
        round(median(execution_rate), 2) as median_execution_rate,
        round(median(self_score), 2) as median_self_score,
        sum(mismatches)::bigint as mismatches,
        sum(notices)::bigint as notices,
        sum(signals)::bigint as signals,
        bool_or(is_demo) as is_demo
    from per_report
    group by fiscal_year, sector
),

year_totals as (
    select fiscal_year, sum(expenditure_total) as expenditure_total
    from per_report
    group by fiscal_year
),

final as (
    select
        cur.fiscal_year,
        cur.sector,
        cur.units_reporting,
        cur.reports,
        round(cur.expenditure_total, 2) as expenditure_total,
        round(cur.expenditure_total / nullif(t.expenditure_total, 0) * 100, 2) as expenditure_share_pct,
        cur.median_execution_rate,
        cur.median_self_score,
        cur.mismatches,
        cur.notices,
        cur.signals,
        cur.mismatches + cur.notices + cur.signals as flags,
        round(prev.expenditure_total, 2) as prev_expenditure_total,
        round((cur.expenditure_total - prev.expenditure_total) / nullif(prev.expenditure_total, 0) * 100, 2)
            as expenditure_change_pct,
        cur.is_demo
    from per_sector as cur
    join year_totals as t on t.fiscal_year = cur.fiscal_year
    left join per_sector as prev on prev.sector = cur.sector and prev.fiscal_year = cur.fiscal_year - 1
)

select * from final
where in_years(fiscal_year, $years, $year_from, $year_to)
    and ($sectors is null or list_contains($sectors, sector))
order by fiscal_year, expenditure_total desc nulls last, sector
