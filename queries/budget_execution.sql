-- title: 预算执行率
-- group: 预算执行
-- description: 每份报告一行：报告自述的预算执行率（成本指标“完成预算的X%”），及按收支表测算的执行率。
-- formula: 支出÷收入 = 支出合计 ÷ 收入合计 × 100（汇总行）；
--   预算数 = 报告自评表所填全年预算数（年度资金总额一行），无则报告以指标给出的预算数〔万元〕；
--   执行数 = 报告自评表所填全年执行数，无则支出合计；
--   支出÷预算 = 执行数 ÷ 预算数 × 100；
--   所述执行率 = 自评表所填执行率，无则指标所述（“完成预算的X%”、预算执行率）；
--   执行率（优先顺序）= 自评表 全年执行数 ÷ 全年预算数（二者都填时），无则 报告所述，
--   再无则 支出÷预算，再无则 支出÷收入；所述与测算之差 = 所述 − 测算（百分点）。
--   支出合计：报告未填合计而基本支出、项目支出都已填时取二者之和（支出合计口径注明）。
--   任一项空白则结果为空，不按0计。
-- params: filters
-- stored: by report
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column reported_name: 报告所用名称 — 别名合并前的名称，同一单位一年有两份报告时用来区分
-- column sector: 行业
-- column report_id: 报告编号
-- column income_total: 收入合计（万元）
-- column expenditure_total: 支出合计（万元）
-- column expenditure_basis: 支出合计口径 — 报告所填，或报告未填合计时 基本支出+项目支出
-- column budget_wan: 预算数（万元） — 自评表的全年预算数，或报告以指标给出的预算数
-- column executed_wan: 执行数（万元） — 自评表的全年执行数
-- column stated_rate: 报告所述执行率（%）
-- column stated_indicator: 所述执行率所在指标
-- column rate_vs_budget: 支出÷预算（%）
-- column rate_vs_income: 支出÷收入（%）
-- column execution_rate: 预算执行率（%）
-- column execution_basis: 执行率口径
-- column stated_minus_computed: 所述与测算之差（百分点）
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
        r.income_total,
        r.expenditure_total,
        r.expenditure_basis,
        r.budget_wan,
        r.executed_wan,
        r.stated_rate,
        r.stated_indicator,
        r.rate_vs_budget,
        r.rate_vs_income,
        r.execution_rate,
        r.execution_basis,
        round(r.stated_rate - coalesce(r.rate_vs_budget, r.rate_vs_income), 2) as stated_minus_computed,
        r.is_demo
    from reports as r
)

select * from final
order by fiscal_year desc, execution_rate nulls last, unit_name, report_id
