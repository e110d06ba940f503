-- title: 自评得分与预算执行率
-- group: 评分
-- description: 每个单位每年一行：自评得分、报告所述与按收支表测算的预算执行率，及该报告的可信度信号。
--   用于“得分高而执行率低”之类的对照。实为每份报告一行：别名合并后同一单位一年有两份报告时各列一行。
--   得分或执行率空白的报告照列（为空，不按0计）。
-- formula: 测算执行率 = 支出÷预算，无预算数时 支出÷收入（见 budget_execution）；
--   预算执行率 = 报告所述，无则测算；所述与测算之差 = 所述 − 测算（百分点）；
--   可信度信号 = credibility_signals 中该报告的信号（个数与名称）；高分低执行 = 该报告有“高分低执行”信号
--   （自评得分 ≥ 95 而预算执行率 < 80%）。
-- params: filters
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column reported_name: 报告所用名称 — 别名合并前的名称，同一单位一年有两份报告时用来区分
-- column sector: 行业
-- column report_id: 报告编号
-- column self_score: 自评得分
-- column grade: 申报等次
-- column implied_grade: 得分对应等次
-- column stated_rate: 报告所述执行率（%）
-- column computed_rate: 测算执行率（%）
-- column computed_basis: 测算口径 — 支出÷预算 或 支出÷收入
-- column execution_rate: 预算执行率（%）
-- column execution_basis: 执行率口径
-- column stated_minus_computed: 所述与测算之差（百分点）
-- column signals: 可信度信号（个）
-- column signal_names: 可信度信号 — 信号名称，按名称排列，以“、”分隔；没有信号时为空字符串
-- column has_signal: 有可信度信号
-- column high_score_low_execution: 高分低执行
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.reported_name,
        r.sector,
        r.report_id,
        r.self_score,
        r.grade,
        r.implied_grade,
        r.stated_rate,
        coalesce(r.rate_vs_budget, r.rate_vs_income) as computed_rate,
        case
            when r.rate_vs_budget is not null then '支出÷预算'
            when r.rate_vs_income is not null then '支出÷收入'
        end as computed_basis,
        r.execution_rate,
        r.execution_basis,
        round(r.stated_rate - coalesce(r.rate_vs_budget, r.rate_vs_income), 2) as stated_minus_computed,
        -- no signal is a real zero (the checks ran and found nothing), not a blank
        f.signals,
        f.signal_names,
        f.signals > 0 as has_signal,
        f.high_score_low_execution,
        r.is_demo
    from reports as r
    join q_report_flags as f on f.report_id = r.report_id
)

select * from final
order by fiscal_year desc, self_score desc nulls last, unit_name, report_id
