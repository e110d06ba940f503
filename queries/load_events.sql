-- title: 入库记录
-- group: 数据质量
-- description: 每次入库尝试一行（最新在前）：时间、文件、结果、原因，及操作人（入库记录有 loaded_by 列时）。
-- param limit integer = 500: 最多列出的行数
-- column loaded_at: 时间
-- column loaded_by: 操作人
-- column file_name: 文件名
-- column status: 结果
-- column reason: 原因
-- column fiscal_year: 年度
with

final as (
    select
        l.loaded_at,
        -- loaded_by exists only in databases whose loader records it; read through the row as JSON
        to_json(l) ->> 'loaded_by' as loaded_by,
        l.file_name,
        l.status,
        l.reason,
        l.fiscal_year,
        l.log_id
    from load_log as l
)

select * exclude (log_id) from final
order by loaded_at desc, log_id desc
limit $limit
