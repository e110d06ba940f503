-- title: 行业列表
-- group: 列表
-- description: 各行业的单位数和报告数（行业来自 data/unit_sectors.csv）。
-- params: filters
-- column sector: 行业
-- column units: 单位数
-- column reports: 报告数
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        sector,
        count(distinct unit_id) as units,
        count(*) as reports,
        bool_or(is_demo) as is_demo
    from reports
    group by sector
)

select * from final
order by units desc, sector
