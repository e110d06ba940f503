-- title: 入库状态
-- group: 数据质量
-- description: 一行：最近一次入库时间、各状态的入库尝试次数、当前报告数（真实/演示）、单位数、带警告的报告数。
-- column last_load_at: 最近入库时间
-- column last_success_at: 最近成功入库时间
-- column last_failure_at: 最近失败时间
-- column attempts: 入库尝试次数
-- column loaded: 新入库
-- column replaced: 替换旧报告
-- column unchanged: 未变（重复文件）
-- column failed: 失败
-- column reports: 当前报告数
-- column real_reports: 真实报告数
-- column demo_reports: 演示报告数
-- column units: 单位数
-- column reports_with_warnings: 有读取警告的报告数 — 不计只有“文字版报告（无填报表）：…”一行说明的报告
-- column prose_reports: 文字版报告数 — 没有填报表、数字取自正文的报告（source.template = hunan-prose）
-- column is_demo: 含演示数据 — 汇总的报告中有演示数据时为真
with

attempts as (
    select
        max(loaded_at) as last_load_at,
        max(loaded_at) filter (where status <> 'failed') as last_success_at,
        max(loaded_at) filter (where status = 'failed') as last_failure_at,
        count(*) as attempts,
        count(*) filter (where status = 'loaded') as loaded,
        count(*) filter (where status = 'replaced') as replaced,
        count(*) filter (where status = 'unchanged') as unchanged,
        count(*) filter (where status = 'failed') as failed
    from load_log
),

current_reports as (
    select
        count(*) as reports,
        count(*) filter (where not is_demo) as real_reports,
        count(*) filter (where is_demo) as demo_reports,
        count(distinct unit_id) as units,
        bool_or(is_demo) as is_demo
    from q_reports
),

warned as (
    select
        -- a prose report's closing line (etl/prose.py PROSE_SUMMARY_PREFIX) says what such
        -- reports never have: a note, not a problem to look at
        count(*) filter (
            where len(list_filter(warnings, lambda w: not starts_with(w, '文字版报告（无填报表）：'))) > 0
        ) as reports_with_warnings,
        count(*) filter (where template = 'hunan-prose') as prose_reports
    from reports
),

final as (
    select
        a.last_load_at,
        a.last_success_at,
        a.last_failure_at,
        a.attempts,
        a.loaded,
        a.replaced,
        a.unchanged,
        a.failed,
        c.reports,
        c.real_reports,
        c.demo_reports,
        c.units,
        w.reports_with_warnings,
        w.prose_reports,
        coalesce(c.is_demo, false) as is_demo
    from attempts as a, current_reports as c, warned as w
)

select * from final
