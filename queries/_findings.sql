-- Derived tables of the query layer, part 2 (after _derive.sql; see there for
-- when this runs): the per-report findings shared by the consistency,
-- credibility and overview queries.
--
-- q_consistency: one row per failed 勾稽关系 check of a report's own figures
--   (report_id, rule, rule_name, severity, org, figures, expected, actual, difference).
--   Sums: the parts that are filled in, added up, against the total; a blank
--   part is left out of the sum, and a check runs only when the total and at
--   least one part are filled in. Tolerance 0.01 万元 (the reports' precision).
--   difference = actual - expected.
--   severity: 不符 = figures that cannot all be right; 提示 = worth a look.
-- q_signals: one row per credibility signal of a report
--   (report_id, signal, signal_name, detail, value). Signals, not verdicts.

create or replace macro over_tolerance(diff) as abs(diff) > 0.01 + 1e-9;

create or replace macro fmt2(x) as coalesce(printf('%.2f', x), '空白');

create or replace table q_consistency as
with

income_sums as (
    select
        report_id, org, total,
        coalesce(carryover, 0) + coalesce(fiscal_appropriation, 0) + coalesce(fund_appropriation, 0)
            + coalesce(special_account_income, 0) + coalesce(other_income, 0) as parts_sum,
        (carryover is not null)::int + (fiscal_appropriation is not null)::int + (fund_appropriation is not null)::int
            + (special_account_income is not null)::int + (other_income is not null)::int as parts_filled
    from income
    where in_scope(report_id)
),

income_parts as (
    select
        report_id,
        'income_parts' as rule,
        '收入分项之和与收入合计不符' as rule_name,
        '不符' as severity,
        org,
        '收入合计 ' || fmt2(total) || '；上年结转+公共财政拨款+政府基金拨款+专户非税收入+其他收入（已填' || parts_filled || '项）之和 ' || fmt2(parts_sum) as figures,
        total as expected,
        parts_sum as actual
    from income_sums
    where total is not null and parts_filled > 0 and over_tolerance(parts_sum - total)
),

expenditure_total as (
    select
        report_id,
        'expenditure_parts' as rule,
        '基本支出+项目支出与支出合计不符' as rule_name,
        '不符' as severity,
        org,
        '支出合计 ' || fmt2(total) || '；基本支出 ' || fmt2(basic) || ' + 项目支出 ' || fmt2(project) as figures,
        total as expected,
        coalesce(basic, 0) + coalesce(project, 0) as actual
    from expenditure
    where in_scope(report_id)
        and total is not null
        and (basic is not null or project is not null)
        and over_tolerance(coalesce(basic, 0) + coalesce(project, 0) - total)
),

expenditure_basic as (
    select
        report_id,
        'basic_parts' as rule,
        '人员支出+公用支出与基本支出不符' as rule_name,
        '不符' as severity,
        org,
        '基本支出 ' || fmt2(basic) || '；人员支出 ' || fmt2(personnel) || ' + 公用支出 ' || fmt2(public) as figures,
        basic as expected,
        coalesce(personnel, 0) + coalesce(public, 0) as actual
    from expenditure
    where in_scope(report_id)
        and basic is not null
        and (personnel is not null or public is not null)
        and over_tolerance(coalesce(personnel, 0) + coalesce(public, 0) - basic)
),

three_public_sums as (
    select
        report_id, org, total,
        coalesce(reception, 0) + coalesce(vehicle_operation, 0) + coalesce(vehicle_purchase, 0) + coalesce(overseas, 0) as parts_sum,
        (reception is not null)::int + (vehicle_operation is not null)::int + (vehicle_purchase is not null)::int
            + (overseas is not null)::int as parts_filled
    from three_public
    where in_scope(report_id)
),

three_public_parts as (
    select
        report_id,
        'three_public_parts' as rule,
        '“三公”分项之和与合计不符' as rule_name,
        '不符' as severity,
        org,
        '“三公”经费合计 ' || fmt2(total) || '；公务接待+公务用车运维+公务用车购置+因公出国（已填' || parts_filled || '项）之和 ' || fmt2(parts_sum) as figures,
        total as expected,
        parts_sum as actual
    from three_public_sums
    where total is not null and parts_filled > 0 and over_tolerance(parts_sum - total)
),

fixed_assets_parts as (
    select
        report_id,
        'fixed_assets_parts' as rule,
        '固定资产分项之和与合计不符' as rule_name,
        '不符' as severity,
        org,
        '固定资产合计 ' || fmt2(total) || '；在用 ' || fmt2(in_use) || ' + 出租 ' || fmt2(leased) || ' + 其他 ' || fmt2(other) as figures,
        total as expected,
        coalesce(in_use, 0) + coalesce(leased, 0) + coalesce(other, 0) as actual
    from fixed_assets
    where in_scope(report_id)
        and total is not null
        and (in_use is not null or leased is not null or other is not null)
        and over_tolerance(coalesce(in_use, 0) + coalesce(leased, 0) + coalesce(other, 0) - total)
),

-- every money column of every table, long, to compare org rows with the 汇总 row
money_cells as (
    select report_id, org, 'income' as kind, '收入' as table_name, column_name, value
    from (unpivot (from income where in_scope(report_id)) on total, carryover, fiscal_appropriation, fund_appropriation, special_account_income, other_income
          into name column_name value value)
    union all
    select report_id, org, 'expenditure', '支出', column_name, value
    from (unpivot (from expenditure where in_scope(report_id)) on total, basic, personnel, public, project, surplus_year, surplus_cumulative
          into name column_name value value)
    union all
    select report_id, org, 'three_public', '“三公”经费', column_name, value
    from (unpivot (from three_public where in_scope(report_id)) on total, reception, vehicle_operation, vehicle_purchase, overseas
          into name column_name value value)
    union all
    select report_id, org, 'fixed_assets', '固定资产', column_name, value
    from (unpivot (from fixed_assets where in_scope(report_id)) on total, in_use, leased, other into name column_name value value)
),

org_sums as (
    select
        report_id,
        kind,
        table_name,
        column_name,
        any_value(value) filter (where org = '汇总') as summary_value,
        sum(value) filter (where org <> '汇总') as org_sum,
        count(value) filter (where org <> '汇总') as org_rows
    from money_cells
    group by report_id, kind, table_name, column_name
),

column_names as (
    select * from (values
        ('income', 'total', '收入合计'), ('income', 'carryover', '上年结转'), ('income', 'fiscal_appropriation', '公共财政拨款'),
        ('income', 'fund_appropriation', '政府基金拨款'), ('income', 'special_account_income', '纳入专户管理的非税收入拨款'),
        ('income', 'other_income', '其他收入'), ('expenditure', 'total', '支出合计'), ('expenditure', 'basic', '基本支出'),
        ('expenditure', 'personnel', '人员支出'), ('expenditure', 'public', '公用支出'), ('expenditure', 'project', '项目支出'),
        ('expenditure', 'surplus_year', '当年结余'), ('expenditure', 'surplus_cumulative', '累计结余'),
        ('three_public', 'total', '三公经费合计'), ('three_public', 'reception', '公务接待费'),
        ('three_public', 'vehicle_operation', '公务用车运维费'), ('three_public', 'vehicle_purchase', '公务用车购置费'),
        ('three_public', 'overseas', '因公出国费'), ('fixed_assets', 'total', '固定资产合计'),
        ('fixed_assets', 'in_use', '在用固定资产'), ('fixed_assets', 'leased', '出租固定资产'), ('fixed_assets', 'other', '其他')
    ) as t(kind, column_name, label)
),

org_rows as (
    select
        s.report_id,
        'org_rows_vs_summary' as rule,
        '各机构行之和与汇总行不符' as rule_name,
        '不符' as severity,
        '汇总' as org,
        s.table_name || '表“' || n.label || '”：汇总行 ' || fmt2(s.summary_value) || '；各机构行（已填' || s.org_rows || '行）之和 ' || fmt2(s.org_sum) as figures,
        s.summary_value as expected,
        s.org_sum as actual
    from org_sums as s
    join column_names as n using (kind, column_name)
    where s.summary_value is not null and s.org_rows > 0 and over_tolerance(s.org_sum - s.summary_value)
),

staff as (
    select
        report_id,
        'staff_over_quota' as rule,
        '实有人数超过编制' as rule_name,
        '提示' as severity,
        null as org,
        '人员编制 ' || staff_quota || ' 人；实有人数 ' || staff_actual || ' 人' as figures,
        staff_quota::double as expected,
        staff_actual::double as actual
    from reports
    where in_scope(report_id) and staff_actual > staff_quota
),

rates as (
    select
        report_id,
        'stated_vs_computed_rate' as rule,
        '所述预算执行率与按收支表测算不符' as rule_name,
        '提示' as severity,
        '汇总' as org,
        '报告所述 ' || fmt2(stated_rate) || '%；' || if(rate_vs_budget is not null, '支出÷预算 ', '支出÷收入 ')
            || fmt2(coalesce(rate_vs_budget, rate_vs_income)) || '%（相差超过1个百分点）' as figures,
        stated_rate as expected,
        coalesce(rate_vs_budget, rate_vs_income) as actual
    from q_reports
    where in_scope(report_id)
        and stated_rate is not null
        and coalesce(rate_vs_budget, rate_vs_income) is not null
        and abs(coalesce(rate_vs_budget, rate_vs_income) - stated_rate) > 1.0 + 1e-9
),

score_range as (
    select
        report_id,
        'score_out_of_range' as rule,
        '自评得分超出0–100' as rule_name,
        '不符' as severity,
        null as org,
        '自评得分 ' || printf('%g', self_score) as figures,
        case when self_score > 100 then 100.0 else 0.0 end as expected,
        self_score as actual
    from reports
    where in_scope(report_id) and (self_score < 0 or self_score > 100)
),

grades as (
    select
        report_id,
        'grade_mismatch' as rule,
        '申报等次与得分对应等次不符' as rule_name,
        '不符' as severity,
        null as org,
        '自评得分 ' || printf('%g', self_score) || '，按' || rule_set || '应为“' || implied_grade || '”；报告等次“' || grade || '”' as figures,
        null::double as expected,
        null::double as actual
    from q_reports
    where in_scope(report_id) and grade_comparable and not grade_matches
),

blank_results as (
    select
        report_id,
        'blank_indicator_results' as rule,
        '绩效指标完成值空白' as rule_name,
        '提示' as severity,
        null as org,
        count(*) || ' 个指标未填完成值：' || string_agg(name, '；' order by row_no) as figures,
        null::double as expected,
        count(*)::double as actual
    from indicators
    where in_scope(report_id) and (actual_text is null or trim(actual_text) = '')
    group by report_id
),

final as (
    select * from income_parts
    union all select * from expenditure_total
    union all select * from expenditure_basic
    union all select * from three_public_parts
    union all select * from fixed_assets_parts
    union all select * from org_rows
    union all select * from staff
    union all select * from rates
    union all select * from score_range
    union all select * from grades
    union all select * from blank_results
)

select *, round(actual - expected, 2) as difference from final;

create or replace table q_signals as
with

base as (
    select report_id, unit_id, fiscal_year, self_score, execution_rate, execution_basis
    from q_reports
    where in_scope(report_id)
),

-- the reports in scope and those of the year before, for the texts compared with last year
text_base as (
    select report_id, unit_id, fiscal_year from base
    union
    select r.report_id, r.unit_id, r.fiscal_year
    from q_reports as r
    join base as b on b.unit_id = r.unit_id and b.fiscal_year = r.fiscal_year + 1
),

high_score_low_execution as (
    select
        report_id,
        'high_score_low_execution' as signal,
        '高分低执行' as signal_name,
        '自评得分 ' || printf('%g', self_score) || '，预算执行率 ' || fmt2(execution_rate) || '%（' || execution_basis || '）' as detail,
        execution_rate as value
    from base
    where self_score >= high_score_min() and execution_rate < low_execution_max()
),

quality as (
    select
        report_id,
        count(*) filter (where actual_value is not null) as valued,
        count(*) filter (where actual_value = 100 and actual_unit = '%') as at_100
    from indicators
    where in_scope(report_id) and level2 like '%质量%'
    group by report_id
),

all_quality_100 as (
    select
        report_id,
        'all_quality_100' as signal,
        '质量指标全部100%' as signal_name,
        valued || ' 个质量指标完成值均为100%' as detail,
        valued::double as value
    from quality
    where valued >= 2 and at_100 = valued
),

satisfaction as (
    select
        report_id,
        'satisfaction_99' as signal,
        '满意度≥99%' as signal_name,
        string_agg(name || ' ' || actual_text, '；' order by row_no) as detail,
        max(actual_value) as value
    from indicators
    where in_scope(report_id)
        and (name like '%满意%' or level2 like '%满意%' or level1 like '%满意%')
        and actual_unit = '%'
        and actual_value >= 99
    group by report_id
),

problems as (
    select r.report_id, n.text
    from reports as r
    left join narratives as n on n.report_id = r.report_id and n.section = 'problems'
    where in_scope(r.report_id)
),

no_problems as (
    select
        report_id,
        'no_problems' as signal,
        '未列出问题' as signal_name,
        coalesce('“存在的问题”一节为：' || text, '“存在的问题”一节空白') as detail,
        null::double as value
    from problems
    where text is null
        or regexp_matches(regexp_replace(text, '[[:space:]\x{3000}。.、，,；;！!]', '', 'g'),
                          '^(无|暂无|没有|无问题|暂无问题|没有问题|不存在问题|未发现问题)?$')
),

section_names as (
    select * from (values
        ('overview', '部门（单位）概况'), ('basic_expenditure', '基本支出情况'), ('project_expenditure', '项目支出情况'),
        ('government_fund', '政府性基金预算支出情况'), ('state_capital', '国有资本经营预算支出情况'),
        ('social_insurance_fund', '社会保险基金预算支出情况'), ('performance', '部门整体支出绩效情况'),
        ('problems', '存在的问题及原因分析'), ('improvements', '下一步改进措施'), ('other', '其他需要说明的情况')
    ) as t(section, section_name)
),

-- texts of 30+ characters only: "无" or a one-line "本单位无…支出" repeats by nature
narrative_texts as (
    select b.unit_id, b.fiscal_year, n.report_id, n.section, md5(n.text) as text_hash
    from narratives as n
    join text_base as b using (report_id)
    where length(n.text) >= 30
),

repeated as (
    select
        cur.report_id,
        'same_text_as_last_year' as signal,
        '与上年报告文字雷同' as signal_name,
        '与上年相同的章节：' || string_agg(s.section_name, '、' order by s.section_name) as detail,
        count(*)::double as value
    from narrative_texts as cur
    join narrative_texts as prev
        on prev.unit_id = cur.unit_id
        and prev.fiscal_year = cur.fiscal_year - 1
        and prev.section = cur.section
        and prev.text_hash = cur.text_hash
    join section_names as s on s.section = cur.section
    where in_scope(cur.report_id)
    group by cur.report_id
)

select * from high_score_low_execution
union all select * from all_quality_100
union all select * from satisfaction
union all select * from no_problems
union all select * from repeated;

-- Per report, how many findings and signals it has (0 when none: the checks ran
-- and found nothing, a real zero), the signals' names (sorted, joined by “、”; '' when none) and
-- whether one is high_score_low_execution: for the overview figures that add
-- them up by year or sector, and for score_vs_execution.
create or replace table q_report_flags as
select
    r.report_id,
    coalesce(f.mismatches, 0) as mismatches,
    coalesce(f.notices, 0) as notices,
    coalesce(s.signals, 0) as signals,
    coalesce(s.signal_names, '') as signal_names,
    coalesce(s.high_score_low_execution, false) as high_score_low_execution
from q_reports as r
left join (
    select
        report_id,
        count(*) filter (where severity = '不符') as mismatches,
        count(*) filter (where severity = '提示') as notices
    from q_consistency
    where in_scope(report_id)
    group by report_id
) as f on f.report_id = r.report_id
left join (
    select
        report_id,
        count(*) as signals,
        string_agg(signal_name, '、' order by signal_name) as signal_names,
        bool_or(signal = 'high_score_low_execution') as high_score_low_execution
    from q_signals
    where in_scope(report_id)
    group by report_id
) as s on s.report_id = r.report_id
where in_scope(r.report_id)
order by r.report_id;

-- The reports in scope (scoped_reports) and, for changes on the previous year,
-- those of the year before each selected year, with their finding and signal counts.
create or replace macro flagged_reports(years, year_from, year_to, units, sectors, data_kind) as table
select r.*, f.mismatches, f.notices, f.signals
from scoped_reports(null, null, null, units, sectors, data_kind) as r
join q_report_flags as f on f.report_id = r.report_id
where in_years_or_prior(r.fiscal_year, years, year_from, year_to);
