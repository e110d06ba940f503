-- title: 报告基本情况
-- group: 单位
-- description: 每份报告一行：封面与基本概况各栏（评价方式、报告日期、联系人、人员、职能、年度工作、总体成绩、自评结论），
--   及来源文件信息。常与 units 参数同用，查看一个单位各年度的报告。
-- params: filters
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称（现用）
-- column reported_name: 报告所用名称
-- column region: 地区
-- column budget_code: 预算编码
-- column sector: 行业
-- column report_id: 报告编号
-- column evaluation_method: 评价方式
-- column evaluator: 评价机构
-- column report_date: 报告日期
-- column contact: 联系人
-- column phone: 联络电话
-- column staff_quota: 人员编制（人）
-- column staff_actual: 实有人数（人）
-- column functions: 职能职责概述
-- column main_tasks: 年度主要工作内容
-- column overall_results: 总体运行情况及取得的成绩
-- column goals_completion: 定性目标实际完成
-- column self_score: 自评得分
-- column grade: 评价等次
-- column file_name: 来源文件
-- column format: 文件格式
-- column money_unit: 原文金额单位
-- column template: 识别的模板
-- column warnings: 读取警告
-- column sha256: 文件SHA-256
-- column loaded_at: 入库时间
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
        b.reported_name,
        b.region,
        b.budget_code,
        b.sector,
        b.report_id,
        r.evaluation_method,
        r.evaluator,
        r.report_date,
        r.contact,
        r.phone,
        r.staff_quota,
        r.staff_actual,
        r.functions,
        r.main_tasks,
        r.overall_results,
        r.goals_completion,
        r.self_score,
        r.grade,
        r.file_name,
        r.format,
        r.money_unit,
        template_name(r.template) as template,
        r.warnings,
        r.sha256,
        r.loaded_at,
        b.is_demo
    from reports as b
    join main.reports as r on r.report_id = b.report_id
)

select * from final
order by fiscal_year desc, unit_name, report_id
