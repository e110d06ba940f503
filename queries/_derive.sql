-- Derived tables and macros of the query layer, part 1 (part 2: _findings.sql).
-- Run by queries.refresh(con) after each load: creates the q_* tables and the
-- macros below in the database, so a query reads small precomputed tables. When
-- they are missing or stale (reports or data/*.csv changed since the refresh),
-- queries.run() runs this same script as temp objects on its own read-only
-- cursor instead (slower, same result). Not a query itself (leading underscore).
--
-- Reads the schema's tables and three frames registered from the editable files:
--   cfg_unit_aliases (region, alias, canonical, note, line_no)    data/unit_aliases.csv
--   cfg_unit_sectors (kind, value, sector, note, line_no)         data/unit_sectors.csv
--   cfg_case_units   (kind, value, case_unit, note, line_no)      data/case_units.csv
--   cfg_grade_rules  (rule_set, region, year_from, year_to, grade,
--                     min_score, max_score, aliases, source, line_no)  data/grade_rules.csv
--
-- Creates:
--   q_unit_aliases, q_unit_sectors, q_case_units, q_grade_rules   the mappings as used at refresh
--   q_unit_identity      one row per loader unit_key -> unit_id, unit_name, sector, case_unit
--   q_reports            one row per report: identity, sector, case_unit, the 汇总 row of each
--                        money table, budget execution rates, implied grade
--   q_cases              cases per report, category and channel, with the category's count
--   name_norm(name, region)        unit name without blanks, half-width brackets (the rule
--                                  of etl.textnorm.unit_name_key, see tests/test_textnorm.py),
--                                  no leading region name
--   in_years(y, years, from, to)   the common year filter as a predicate
--   scoped_reports(...)            q_reports restricted by the common filters
--   grade_bands(rule_set)          the band rows that apply to each (region, year)
--   graded_reports(rule_set)       each report's implied grade under those bands
--   channel_name(channel)          Chinese name of a case channel

create or replace macro clean_name(name) as
    replace(replace(regexp_replace(name, '[[:space:]\x{3000}\x{00a0}]+', '', 'g'), '（', '('), '）', ')');

create or replace macro county_of(region) as
    regexp_extract(coalesce(region, ''), '[^省市州盟]+$');

create or replace macro name_norm(name, region) as
    case
        when coalesce(region, '') <> '' and starts_with(clean_name(name), region)
            and length(clean_name(name)) > length(region)
            then substr(clean_name(name), length(region) + 1)
        when county_of(region) <> '' and starts_with(clean_name(name), county_of(region))
            and length(clean_name(name)) > length(county_of(region))
            then substr(clean_name(name), length(county_of(region)) + 1)
        else clean_name(name)
    end;

-- The reports whose per-report rows a statement below computes: every report on a full
-- build; refresh's incremental path (queries/_incremental.sql) narrows q_scope to the
-- affected reports and q_scope_years to the affected years, then runs the same statements.
create or replace temp table q_scope as select report_id from reports;
create or replace temp table q_scope_years as select distinct fiscal_year from reports;
-- the unit_keys whose identity a statement below computes (all, or those an incremental
-- refresh found linked to the reports changed by a shared code or name)
create or replace temp table q_scope_keys as select distinct unit_key from reports;

create or replace macro in_scope(id) as id in (select report_id from q_scope);

create or replace table q_unit_aliases as select * from cfg_unit_aliases;
create or replace table q_unit_sectors as select * from cfg_unit_sectors;
create or replace table q_case_units as select * from cfg_case_units;
create or replace table q_grade_rules as select * from cfg_grade_rules;

-- Each report's names as the unit identity compares them (one row per report).
create or replace table q_report_names as
select
    report_id,
    unit_key,
    region,
    nullif(trim(budget_code), '') as budget_code,
    unit_name,
    fiscal_year,
    name_norm(unit_name, region) as name_norm
from reports
where in_scope(report_id)
order by report_id;

create or replace table q_unit_identity as
with

report_names as (
    select distinct unit_key, region, budget_code, unit_name, fiscal_year, name_norm
    from q_report_names
    where unit_key in (select unit_key from q_scope_keys)
),

aliases as (
    select
        nullif(trim(region), '') as region,
        trim(alias) as alias,
        trim(canonical) as canonical,
        line_no
    from q_unit_aliases
    where trim(coalesce(alias, '')) <> '' and trim(coalesce(canonical, '')) <> ''
),

-- the first alias line (file order) that names one of the key's codes or names
alias_hits as (
    select
        n.unit_key,
        arg_min(a.canonical, a.line_no) as canonical
    from report_names as n
    join aliases as a
        on (a.region is null or a.region = n.region)
        and (a.alias = n.budget_code or name_norm(a.alias, n.region) = n.name_norm)
    group by n.unit_key
),

-- codes by normalised name, so a year reported without code joins the coded years;
-- a name shared by two codes is ambiguous and joins neither
code_by_name as (
    select region, name_norm, min(budget_code) as budget_code
    from report_names
    where budget_code is not null
    group by region, name_norm
    having count(distinct budget_code) = 1
),

-- the same across region spellings of one county: a prose title names only "云溪区信访局"
-- (region 云溪区) where the template's cover says 岳阳市云溪区; used only when the exact
-- region finds nothing, and only when the county has one such region and code
code_by_county as (
    select county_of(region) as county, name_norm, min(region) as region, min(budget_code) as budget_code
    from report_names
    where budget_code is not null and county_of(region) <> ''
    group by county_of(region), name_norm
    having count(distinct region) = 1 and count(distinct budget_code) = 1
),

known_codes as (
    select distinct region, budget_code from report_names where budget_code is not null
),

keys as (
    select
        n.unit_key,
        any_value(n.region) as region,
        -- the latest year's; ties within a year (a merged unit) broken by the value itself, so
        -- the result does not depend on scan order
        arg_max(n.budget_code, (n.fiscal_year, n.budget_code)) filter (where n.budget_code is not null) as budget_code,
        arg_max(n.name_norm, (n.fiscal_year, n.name_norm)) as name_norm,
        any_value(h.canonical) as canonical
    from report_names as n
    left join alias_hits as h on h.unit_key = n.unit_key
    group by n.unit_key
),

-- where each key points: its alias target, else its own code, else its name
targets as (
    select
        k.unit_key,
        k.region,
        case
            when k.canonical is null then k.budget_code
            when c.budget_code is not null then c.budget_code
        end as target_code,
        case
            when k.canonical is null then k.name_norm
            else name_norm(k.canonical, k.region)
        end as target_norm
    from keys as k
    left join known_codes as c
        on c.region is not distinct from k.region and c.budget_code = k.canonical
),

first_pass as (
    select
        t.unit_key,
        t.region,
        t.target_code,
        t.target_norm,
        coalesce(b.budget_code, c.budget_code) as code_by_name,
        -- the unit's region is the coded years' spelling when the county match found them
        case when b.budget_code is null and c.budget_code is not null then c.region else t.region end as id_region
    from targets as t
    left join code_by_name as b
        on t.target_code is null
        and b.region is not distinct from t.region
        and b.name_norm = t.target_norm
    left join code_by_county as c
        on t.target_code is null
        and c.county = county_of(t.region)
        and c.name_norm = t.target_norm
),

first_ids as (
    select
        *,
        coalesce(id_region, '') || '|' || coalesce(target_code, code_by_name, target_norm) as unit_id
    from first_pass
),

-- where each code ended up once its own alias applied: a year reported without code
-- (a prose report) that joins a code by name follows that code into its merged unit
code_units as (
    select k.region, k.budget_code, min(f.unit_id) as unit_id
    from keys as k
    join first_ids as f on f.unit_key = k.unit_key
    where k.budget_code is not null
    group by k.region, k.budget_code
),

resolved as (
    select f.unit_key, f.region, coalesce(c.unit_id, f.unit_id) as unit_id
    from first_ids as f
    left join code_units as c
        on f.target_code is null
        and c.region is not distinct from f.id_region
        and c.budget_code = f.code_by_name
),

unit_names as (
    select r.unit_id, n.*
    from resolved as r
    join report_names as n on n.unit_key = r.unit_key
),

latest_norm as (
    select unit_id, arg_max(name_norm, (fiscal_year, name_norm)) as name_norm
    from unit_names
    group by unit_id
),

identity_facts as (
    select
        u.unit_id,
        -- the current name: the latest normalised name as the coded (template) reports write
        -- it, so a prose title's "岳阳市云溪区信访局" does not replace "云溪区信访局"; ties
        -- within a year broken by the value itself, so the result does not depend on scan order
        arg_max(u.unit_name, (u.name_norm = l.name_norm, u.budget_code is not null, u.fiscal_year, u.unit_name))
            as unit_name,
        arg_max(u.budget_code, (u.fiscal_year, u.budget_code)) filter (where u.budget_code is not null) as budget_code,
        list(distinct u.budget_code) filter (where u.budget_code is not null) as codes,
        list(distinct u.name_norm) as names
    from unit_names as u
    join latest_norm as l on l.unit_id = u.unit_id
    group by u.unit_id
),

sector_rules as (
    select trim(kind) as kind, trim(value) as value, trim(sector) as sector, line_no
    from q_unit_sectors
    where trim(coalesce(value, '')) <> '' and trim(coalesce(sector, '')) <> ''
),

sector_hits as (
    select
        f.unit_id,
        arg_min(
            s.sector,
            (case s.kind when 'code' then 0 when 'name' then 1 else 2 end, s.line_no)
        ) as sector
    from identity_facts as f
    join sector_rules as s
        on (s.kind = 'code' and list_contains(f.codes, s.value))
        or (s.kind = 'name' and list_contains(f.names, name_norm(s.value, null)))
        or (s.kind = 'keyword' and contains(f.unit_name, s.value))
    group by f.unit_id
),

-- whether handling complaints/cases is the unit's main output (data/case_units.csv):
-- the same kinds of rule as sectors, plus kind = sector; "否" rules exclude
case_rules as (
    select trim(kind) as kind, trim(value) as value, trim(case_unit) in ('是', 'yes', 'true', '1') as case_unit, line_no
    from q_case_units
    where trim(coalesce(value, '')) <> '' and trim(coalesce(case_unit, '')) <> ''
),

case_hits as (
    select
        f.unit_id,
        arg_min(
            c.case_unit,
            (case c.kind when 'code' then 0 when 'name' then 1 when 'keyword' then 2 else 3 end, c.line_no)
        ) as case_unit
    from identity_facts as f
    left join sector_hits as s on s.unit_id = f.unit_id
    join case_rules as c
        on (c.kind = 'code' and list_contains(f.codes, c.value))
        or (c.kind = 'name' and list_contains(f.names, name_norm(c.value, null)))
        or (c.kind = 'keyword' and contains(f.unit_name, c.value))
        or (c.kind = 'sector' and coalesce(s.sector, '其他') = c.value)
    group by f.unit_id
),

final as (
    select
        r.unit_key,
        r.unit_id,
        f.unit_name,
        r.region,
        f.budget_code,
        coalesce(s.sector, '其他') as sector,
        coalesce(c.case_unit, false) as case_unit
    from resolved as r
    join identity_facts as f on f.unit_id = r.unit_id
    left join sector_hits as s on s.unit_id = r.unit_id
    left join case_hits as c on c.unit_id = r.unit_id
)

select * from final;

-- The 高分低执行 signal's lines, written once: a self-score at least this high with a budget
-- execution rate below that (queries/_findings.sql flags it, 单位对比 draws the lines from
-- queries/signal_thresholds.sql).
create or replace macro high_score_min() as 95;
create or replace macro low_execution_max() as 80;

-- The common year filter: every argument NULL-able, NULL meaning "no filter".
create or replace macro in_years(y, years, year_from, year_to) as
    (years is null or list_contains(years, y))
    and (year_from is null or y >= year_from)
    and (year_to is null or y <= year_to);

-- the same, also keeping the year before each selected year (for changes on the previous year)
create or replace macro in_years_or_prior(y, years, year_from, year_to) as
    in_years(y, years, year_from, year_to) or in_years(y + 1, years, year_from, year_to);

-- Grade bands that apply to each (region, fiscal_year): a rule set named by
-- the caller, else the most specific matching one (exact region before any
-- region, then the latest year_from, then file order).
create or replace macro grade_bands(rule_set_name) as table
with

rules as (
    select
        trim(rule_set) as rule_set,
        nullif(trim(region), '') as region,
        try_cast(year_from as integer) as year_from,
        try_cast(year_to as integer) as year_to,
        trim(grade) as grade,
        try_cast(min_score as double) as min_score,
        try_cast(max_score as double) as max_score,
        list_transform(string_split(coalesce(aliases, ''), '|'), lambda a: trim(a)) as aliases,
        line_no
    from q_grade_rules
    where trim(coalesce(grade, '')) <> ''
),

report_keys as (
    select distinct region, fiscal_year from reports
),

candidates as (
    select
        k.region,
        k.fiscal_year,
        r.rule_set,
        min(r.line_no) as first_line,
        any_value(r.region) is not null as exact_region,
        max(r.year_from) as year_from
    from report_keys as k
    join rules as r
        on (rule_set_name is null or r.rule_set = rule_set_name)
        and (r.region is null or r.region = k.region)
        and (r.year_from is null or k.fiscal_year >= r.year_from)
        and (r.year_to is null or k.fiscal_year <= r.year_to)
    group by k.region, k.fiscal_year, r.rule_set
),

chosen as (
    select region, fiscal_year, rule_set
    from candidates
    qualify row_number() over (
        partition by region, fiscal_year
        order by exact_region desc, year_from desc nulls last, first_line
    ) = 1
)

select
    c.region,
    c.fiscal_year,
    c.rule_set,
    r.grade,
    r.min_score,
    r.max_score,
    r.aliases,
    r.line_no
from chosen as c
join rules as r
    on r.rule_set = c.rule_set
    and (r.region is null or r.region = c.region)
    and (r.year_from is null or c.fiscal_year >= r.year_from)
    and (r.year_to is null or c.fiscal_year <= r.year_to);

-- Each report's self-score graded by the band rules (grade_bands above), beside
-- the grade it declares. declared_band: the band whose aliases list the declared
-- grade as written ("优秀" -> 优); NULL for a local label such as "三级", which
-- is then not compared (comparable = false).
create or replace macro graded_reports(rule_set_name) as table
with

bands as (
    select * from grade_bands(rule_set_name)
),

implied as (
    select r.report_id, b.grade as implied_grade
    from reports as r
    join bands as b
        on b.region is not distinct from r.region
        and b.fiscal_year = r.fiscal_year
        and r.self_score >= coalesce(b.min_score, '-infinity'::double)
        and r.self_score < coalesce(b.max_score, 'infinity'::double)
    qualify row_number() over (partition by r.report_id order by b.line_no) = 1
),

declared as (
    select r.report_id, arg_min(b.grade, b.line_no) as declared_band
    from reports as r
    join bands as b
        on b.region is not distinct from r.region
        and b.fiscal_year = r.fiscal_year
        and list_contains(b.aliases, trim(r.grade))
    group by r.report_id
),

rule_sets as (
    select distinct region, fiscal_year, rule_set from bands
)

select
    r.report_id,
    r.self_score,
    r.grade,
    s.rule_set,
    i.implied_grade,
    d.declared_band,
    i.implied_grade is not null and d.declared_band is not null as comparable,
    case when i.implied_grade is not null and d.declared_band is not null
        then i.implied_grade = d.declared_band end as matches
from reports as r
left join rule_sets as s on s.region is not distinct from r.region and s.fiscal_year = r.fiscal_year
left join implied as i on i.report_id = r.report_id
left join declared as d on d.report_id = r.report_id;

-- The extractor's layout code (reports.template), in words.
create or replace macro template_name(template) as
    case template
        when 'yueyang-yunxi-2022' then '岳阳填报表模板'
        when 'hunan-prose' then '文字版报告（数字取自正文）'
        else template
    end;

-- Chinese names of the case channels (contracts: complaint/case channels).
create or replace macro channel_name(channel) as
    case channel
        when 'total' then '合计'
        when 'national_platform' then '国家平台'
        when 'leader_mailbox' then '领导信箱'
        when 'hotline_12345' then '12345热线'
        when 'walk_in' then '现场/来访'
        when 'letters_visits' then '信访'
        when 'online' then '网络平台'
        when 'referral' then '交办转办'
        when 'other' then '其他'
        when 'unattributed' then '未分渠道'
        else channel
    end;

-- One row per report with everything most queries need, so that they read one
-- small table. Money columns are the unit-as-a-whole row of each table: the
-- 汇总 row, or the only row when a report gives just one; blank cells stay NULL.
-- Budget execution:
--   stated_rate: the rate the report states, from the first indicator (document
--     order) in % that speaks of the budget: the 成本指标 "完成预算的88.97%", or an
--     indicator named 预算执行率/预算完成率.
--   budget_wan: the report's own 全年预算数 (table `budget`, a form's 年度资金总额 row),
--     else a budget figure in 万元 the report gives as an indicator
--     (预算数/预算金额/预算总额/年初预算/全年预算).
--   executed_wan: the report's own 全年执行数 (table `budget`); NULL when not stated.
--   expenditure_total: the stated 支出合计; when the report states none (prose reports
--     often give only 基本支出 and 项目支出) but states both parts, their sum, with
--     expenditure_basis saying which ('报告所填' / '基本支出+项目支出'); one part blank: NULL.
--   stated_rate: the form's own 执行率 (table `budget`) comes before the indicator's.
--   rate_vs_budget = coalesce(executed_wan, expenditure_total) / budget_wan * 100
--   rate_vs_income = expenditure_total / income_total * 100
--   execution_rate = the report's own 全年执行数 ÷ 全年预算数 when both are stated
--     ('自评表执行数÷预算数'), else the stated rate, else vs budget, else vs income
--     (execution_basis says which).
-- Grades: implied_grade etc. under the default band rules (graded_reports(null)).
create or replace table q_reports as
with

identity as (
    select * from q_unit_identity
),

income_row as (
    select * from income
    where in_scope(report_id)
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

expenditure_row as (
    select * from expenditure
    where in_scope(report_id)
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

three_public_row as (
    select * from three_public
    where in_scope(report_id)
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

fixed_assets_row as (
    select * from fixed_assets
    where in_scope(report_id)
    qualify row_number() over (partition by report_id order by org <> '汇总', row_no) = 1
        and (org = '汇总' or count(*) over (partition by report_id) = 1)
),

stated as (
    select
        report_id,
        arg_min(actual_value, row_no) as stated_rate,
        arg_min(name, row_no) as stated_indicator
    from indicators
    where in_scope(report_id)
        and actual_unit = '%'
        and actual_value is not null
        and (actual_text like '%预算%' or name like '%预算执行率%' or name like '%预算完成率%')
    group by report_id
),

indicator_budget as (
    select report_id, arg_min(actual_value, row_no) as budget_wan
    from indicators
    where in_scope(report_id)
        and actual_unit = '万元'
        and actual_value > 0
        and regexp_matches(name, '预算(数|金额|总额|资金)|(年初|全年|调整后)预算')
        and not regexp_matches(name, '率|执行数|支出数|决算')
    group by report_id
),

grades as (
    select * from graded_reports(null)
    where in_scope(report_id)
),

joined as (
    select
        r.report_id,
        r.fiscal_year,
        i.unit_id,
        r.unit_key,
        i.unit_name,
        r.unit_name as reported_name,
        r.region,
        r.budget_code,
        i.budget_code as unit_budget_code,
        i.sector,
        i.case_unit,
        r.is_demo,
        r.staff_quota,
        r.staff_actual,
        r.self_score,
        r.grade,
        inc.total as income_total,
        inc.carryover,
        inc.fiscal_appropriation,
        inc.fund_appropriation,
        inc.special_account_income,
        inc.other_income,
        coalesce(e.total, e.basic + e.project) as expenditure_total,
        case
            when e.total is not null then '报告所填'
            when e.basic + e.project is not null then '基本支出+项目支出'
        end as expenditure_basis,
        e.basic,
        e.personnel,
        e.public,
        e.project,
        e.surplus_year,
        e.surplus_cumulative,
        t.total as three_public_total,
        t.reception,
        t.vehicle_operation,
        t.vehicle_purchase,
        t.overseas,
        f.total as fixed_assets_total,
        -- the report's own budget row (table budget) first
        coalesce(fb.execution_rate, s.stated_rate) as stated_rate,
        case when fb.execution_rate is not null then '自评表执行率' else s.stated_indicator end as stated_indicator,
        coalesce(fb.adjusted, b.budget_wan) as budget_wan,
        fb.executed as executed_wan,
        round(fb.executed / nullif(fb.adjusted, 0) * 100, 2) as rate_form,
        round(coalesce(fb.executed, e.total, e.basic + e.project) / nullif(coalesce(fb.adjusted, b.budget_wan), 0)
              * 100, 2) as rate_vs_budget,
        round(coalesce(e.total, e.basic + e.project) / nullif(inc.total, 0) * 100, 2) as rate_vs_income,
        g.rule_set,
        g.implied_grade,
        g.declared_band,
        g.comparable as grade_comparable,
        g.matches as grade_matches
    from reports as r
    join identity as i on i.unit_key = r.unit_key
    left join income_row as inc on inc.report_id = r.report_id
    left join expenditure_row as e on e.report_id = r.report_id
    left join three_public_row as t on t.report_id = r.report_id
    left join fixed_assets_row as f on f.report_id = r.report_id
    left join stated as s on s.report_id = r.report_id
    left join indicator_budget as b on b.report_id = r.report_id
    left join budget as fb on fb.report_id = r.report_id
    left join grades as g on g.report_id = r.report_id
    where in_scope(r.report_id)
),

final as (
    select
        *,
        -- the unit name's place in name order, so that long figures sort on an integer
        -- (an incremental refresh renumbers the other reports after its own: _incremental.sql)
        dense_rank() over (order by unit_name) as name_order,
        coalesce(rate_form, stated_rate, rate_vs_budget, rate_vs_income) as execution_rate,
        case
            when rate_form is not null then '自评表执行数÷预算数'
            when stated_rate is not null then '报告所述'
            when rate_vs_budget is not null then '支出÷预算'
            when rate_vs_income is not null then '支出÷收入'
        end as execution_basis
    from joined
)

select * from final
order by report_id;

-- The quantity indicators (二级指标 blank or 数量…) with a unit, for cost_per_output;
-- sort_key is that query's order within its year (unit name, row), precomputed so
-- that the 500,000-row figure at 100,000 reports sorts on integers; numbered by year
-- so that an incremental refresh renumbers only the years it touches (q_scope_years).
create or replace table q_quantity_indicators as
select
    r.fiscal_year,
    i.report_id,
    i.row_no,
    i.name as indicator,
    i.level2,
    i.actual_text,
    i.actual_value as quantity,
    i.actual_unit as output_unit,
    row_number() over (partition by r.fiscal_year order by r.unit_name, i.row_no, i.report_id) as sort_key
from indicators as i
join q_reports as r on r.report_id = i.report_id
where i.actual_unit is not null
    and (i.level2 is null or i.level2 like '%数量%')
    and r.fiscal_year in (select fiscal_year from q_scope_years)
order by r.fiscal_year desc, sort_key;

-- Cases per report, category and channel (rows of one channel added up), with
-- category_cases, the category's count handled: its stated total (the 'total'
-- row), else the sum of its channels. Where the stated total exceeds the
-- channels, the remainder is a row of its own with channel 'unattributed'.
create or replace table q_cases as
with

per_channel as (
    select
        report_id,
        category,
        channel,
        string_agg(distinct channel_label, '、') as channel_label,
        sum(count) as cases,
        sum(amount_wan) as amount_wan,
        bool_or(approx and amount_wan is not null) as approx
    from cases
    where in_scope(report_id)
    group by report_id, category, channel
),

per_category as (
    select
        report_id,
        category,
        max(cases) filter (where channel = 'total') as stated_total,
        sum(cases) filter (where channel <> 'total') as channel_sum
    from per_channel
    group by report_id, category
),

unattributed as (
    select
        report_id,
        category,
        'unattributed' as channel,
        null as channel_label,
        stated_total - coalesce(channel_sum, 0) as cases,
        null::double as amount_wan,
        false as approx
    from per_category
    where stated_total - coalesce(channel_sum, 0) > 0
),

final as (
    select c.*, coalesce(k.stated_total, k.channel_sum) as category_cases
    from (select * from per_channel union all select * from unattributed) as c
    join per_category as k using (report_id, category)
)

select * from final
order by report_id, category, channel;

-- Cases handled per report: its categories' counts added up, and the categories
-- (cost_per_case, unit_compare).
create or replace macro report_cases() as table
    select report_id, sum(category_cases) as handled, list(category order by category) as categories
    from (select distinct report_id, category, category_cases from q_cases)
    where category_cases is not null
    group by report_id;

-- The common filters over q_reports. Every argument is NULL-able: NULL means "no filter".
--   years: list of fiscal years; year_from/year_to: inclusive range;
--   units: list of unit_id, unit_key, budget code (as reported, or the unit's latest) or
--     unit name (as reported or latest);
--   sectors: list of sectors; data_kind: 'real' | 'demo' | NULL/'all'.
create or replace macro scoped_reports(years, year_from, year_to, units, sectors, data_kind) as table
select *
from q_reports
where in_years(fiscal_year, years, year_from, year_to)
    and (units is null
        or list_contains(units, unit_id) or list_contains(units, unit_key) or list_contains(units, budget_code)
        or list_contains(units, unit_budget_code)
        or list_contains(units, reported_name) or list_contains(units, unit_name))
    and (sectors is null or list_contains(sectors, sector))
    and (data_kind is null or data_kind = 'all' or (data_kind = 'demo') = is_demo);


-- Each report's grade under a rule set: the default rules were graded at refresh
-- (q_reports); another rule set is graded now. NULL rule_set = the default.
create or replace macro graded_by(rule_set_name) as table
select report_id, rule_set, implied_grade, declared_band, comparable, matches
from graded_reports(rule_set_name)
where rule_set_name is not null
union all
select report_id, rule_set, implied_grade, declared_band, grade_comparable as comparable, grade_matches as matches
from q_reports
where rule_set_name is null;
