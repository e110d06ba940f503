-- title: 原始文件
-- group: 单位
-- description: 每份报告一行：入库的原始文件（名称、格式、大小、SHA-256、入库时间），以及库中是否存有文件内容可供下载
--   （内容用 document_content 取）。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column file_name: 文件名
-- column format: 格式
-- column size_bytes: 大小（字节）
-- column sha256: 文件指纹（SHA-256）
-- column loaded_at: 入库时间
-- column has_content: 可下载
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

final as (
    select
        b.fiscal_year,
        b.unit_id,
        b.unit_name,
        b.report_id,
        coalesce(d.file_name, r.file_name) as file_name,
        coalesce(d.format, r.format) as format,
        d.size_bytes,
        r.sha256,
        r.loaded_at,
        d.content is not null as has_content,
        b.is_demo
    from reports as b
    join main.reports as r on r.report_id = b.report_id
    left join documents as d on d.sha256 = r.sha256
)

select * from final
order by unit_name, fiscal_year desc, report_id
