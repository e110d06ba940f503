-- title: 导入预览：报告要点
-- group: 数据质量
-- description: 导入报告页的读取结果：待导入的报告先写入一个临时库，按看板同样的口径算出要点，每份一行（按文件指纹对应回文件）。
-- formula: 预算数、支出数、执行率同「预算执行率」（q_reports）；不符为勾稽核查的不符条数；读取警告不计文字版报告的说明行。
-- column sha256: 文件指纹（SHA-256）
-- column budget_wan: 预算数（万元）
-- column expenditure_total: 支出数（万元）
-- column execution_rate: 执行率（%）
-- column self_score: 自评得分
-- column grade: 自评等次
-- column mismatches: 不符
-- column warning_count: 读取警告
-- column first_warning: 首条警告
-- column template: 报告格式
-- column is_demo: 演示数据
with

warned as (
    select
        report_id,
        sha256,
        template,
        -- a prose report's closing line (etl/extract/prose.py PROSE_SUMMARY_PREFIX) says what such reports never
        -- have: a note, not a problem (as load_status.sql counts them)
        list_filter(warnings, lambda w: not starts_with(w, '文字版报告（无填报表）：')) as shown
    from reports
),

final as (
    select
        w.sha256,
        q.budget_wan,
        q.expenditure_total,
        q.execution_rate,
        q.self_score,
        q.grade,
        f.mismatches,
        len(w.shown) as warning_count,
        w.shown[1] as first_warning,
        template_name(w.template) as template,
        q.is_demo
    from warned as w
    join q_reports as q on q.report_id = w.report_id
    join q_report_flags as f on f.report_id = w.report_id
)

select * from final
order by sha256
