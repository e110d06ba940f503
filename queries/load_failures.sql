-- title: 入库失败的文件
-- group: 数据质量
-- description: 每次失败的入库尝试一行：时间、文件、原因。同一文件之后成功入库的也照列（看 later_loaded）。
-- param since varchar = null: 只看此时间之后的（如“2024-01-01”）
-- column loaded_at: 时间
-- column file_name: 文件名
-- column file_path: 路径
-- column sha256: 文件指纹（SHA-256）
-- column reason: 失败原因
-- column later_loaded: 之后已成功入库
with

attempts as (
    select * from load_log
),

failures as (
    select *
    from attempts
    where status = 'failed'
        and ($since is null or loaded_at >= $since::timestamp)
),

successes as (
    select * from attempts where status in ('loaded', 'replaced', 'unchanged')
),

last_success_by_file as (
    select sha256, max(loaded_at) as last_success from successes group by sha256
),

last_success_by_name as (
    select file_name, max(loaded_at) as last_success from successes group by file_name
),

final as (
    select
        f.loaded_at,
        f.file_name,
        f.file_path,
        f.sha256,
        f.reason,
        coalesce(by_file.last_success >= f.loaded_at, false)
            or (f.sha256 is null and coalesce(by_name.last_success >= f.loaded_at, false)) as later_loaded
    from failures as f
    left join last_success_by_file as by_file on by_file.sha256 = f.sha256
    left join last_success_by_name as by_name on by_name.file_name = f.file_name
)

select * from final
order by loaded_at desc, file_name
