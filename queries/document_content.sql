-- title: 原始文件内容
-- group: 单位
-- description: 按 SHA-256 取一个入库原始文件的内容（供下载）；没有该文件时无结果行。
-- param sha256 varchar = null: 文件的 SHA-256（见 unit_documents）
-- column sha256: 文件指纹（SHA-256）
-- column file_name: 文件名
-- column format: 格式
-- column size_bytes: 大小（字节）
-- column content: 文件内容
-- column is_demo: 演示数据
with

documents_wanted as (
    select * from documents where sha256 = $sha256
),

final as (
    select
        d.sha256,
        d.file_name,
        d.format,
        d.size_bytes,
        d.content,
        coalesce(bool_or(r.is_demo), false) as is_demo
    from documents_wanted as d
    left join reports as r on r.sha256 = d.sha256
    group by all
)

select * from final
