-- title: 导入前核对：库中已有的报告
-- group: 数据质量
-- description: 导入报告页确认前用：库中当前报告里，文件指纹（SHA-256）与待导入文件相同的，或单位标识与待导入报告相同的（页面再按年度配对），各一行，附导入时间。
-- param sha256s varchar[] = null: 待导入文件的 SHA-256（可多个）
-- param unit_keys varchar[] = null: 待导入报告的单位标识（etl.load.unit_key，可多个）
-- column report_id: 报告编号
-- column unit_key: 单位标识
-- column fiscal_year: 年度
-- column unit_name: 单位名称
-- column file_name: 文件名
-- column sha256: 文件指纹（SHA-256）
-- column loaded_at: 导入时间
-- column is_demo: 演示数据
with

final as (
    select
        report_id,
        unit_key,
        fiscal_year,
        unit_name,
        file_name,
        sha256,
        loaded_at,
        is_demo
    from reports
    where list_contains(coalesce($sha256s, []::varchar[]), sha256)
        or list_contains(coalesce($unit_keys, []::varchar[]), unit_key)
)

select * from final
order by unit_key, fiscal_year, report_id
