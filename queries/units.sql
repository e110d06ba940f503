-- title: 单位列表
-- group: 列表
-- description: 每个单位一行（跨年度归并后的单位身份）：现用名称、预算编码、行业、报告年度范围。
--   单位身份：有预算编码的按地区+编码识别，无编码的按地区+规范化名称识别（同名的有编码单位优先），
--   再按 data/unit_aliases.csv 处理更名与合并；行业按 data/unit_sectors.csv（默认按名称关键词）。
-- params: filters
-- column unit_id: 单位标识 — 传给其他查询的 units 参数
-- column unit_name: 单位名称 — 最近一年报告所用名称
-- column region: 地区
-- column budget_code: 预算编码 — 最近一次填写的编码
-- column sector: 行业
-- column first_year: 首个年度
-- column last_year: 最近年度
-- column reports: 报告数
-- column names_used: 曾用名称 — 各年度报告所用名称（与现用名不同者）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        unit_id,
        any_value(unit_name) as unit_name,
        -- as its coded reports spell it (a prose title may give only the county: 云溪区)
        arg_max(region, (budget_code is not null, fiscal_year, report_id)) as region,
        -- the latest year's code; two reports in that year (a merged unit): the later loaded
        arg_max(budget_code, (fiscal_year, report_id)) filter (where budget_code is not null) as budget_code,
        any_value(sector) as sector,
        min(fiscal_year) as first_year,
        max(fiscal_year) as last_year,
        count(*) as reports,
        list(distinct reported_name order by reported_name) filter (where reported_name <> unit_name) as names_used,
        bool_or(is_demo) as is_demo
    from reports
    group by unit_id
)

select * from final
order by sector, unit_name
