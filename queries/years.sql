-- title: 年度列表
-- group: 列表
-- description: 库中有报告的财政年度，及每年的报告数（真实/演示分开计数）。
-- params: units, sectors, data_kind
-- column fiscal_year: 年度
-- column reports: 报告数
-- column real_reports: 真实报告数
-- column demo_reports: 演示报告数
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

reports as (
    select * from scoped_reports(null, null, null, $units, $sectors, $data_kind)
),

final as (
    select
        fiscal_year,
        count(*) as reports,
        count(*) filter (where not is_demo) as real_reports,
        count(*) filter (where is_demo) as demo_reports,
        bool_or(is_demo) as is_demo
    from reports
    group by fiscal_year
)

select * from final
order by fiscal_year
