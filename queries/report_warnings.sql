-- title: 读取警告
-- group: 数据质量
-- description: 入库报告的每条读取警告一行（提取时未能读出或有疑问的内容，及其位置）。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column file_name: 文件名
-- column warning_no: 序号
-- column warning: 警告
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

warnings as (
    select report_id, file_name, unnest(warnings) as warning, generate_subscripts(warnings, 1) as warning_no
    from main.reports
    where len(warnings) > 0
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.report_id,
        w.file_name,
        w.warning_no,
        w.warning,
        r.is_demo
    from warnings as w
    join reports as r on r.report_id = w.report_id
)

select * from final
order by fiscal_year desc, unit_name, report_id, warning_no
