-- Normalised store of report records (see ../shared/spec/report-record.md).
-- One row in `reports` per (unit_key, fiscal_year) that is current; every child
-- table hangs off report_id and is replaced with its report. Money is 万元,
-- blank cells are NULL (never 0). The query layer reads these tables only.

create sequence if not exists report_id_seq start 1;
create sequence if not exists load_log_id_seq start 1;

-- One row per unit identity the loader has seen (unit_key: region + budget
-- code, else region + normalised unit name). Renames and merges across years
-- are resolved in the query layer from data/unit_aliases.csv.
create table if not exists units (
    unit_key     varchar primary key,
    region       varchar,
    unit_name    varchar not null,   -- latest name seen
    budget_code  varchar,
    first_year   integer,
    last_year    integer
);

create table if not exists reports (
    report_id          bigint primary key default nextval('report_id_seq'),
    unit_key           varchar not null,
    region             varchar,
    fiscal_year        integer not null,
    unit_name          varchar not null,
    budget_code        varchar,
    evaluation_method  varchar,
    evaluator          varchar,
    report_date        date,
    contact            varchar,
    phone              varchar,
    staff_quota        integer,
    staff_actual       integer,
    functions          varchar,
    main_tasks         varchar,
    overall_results    varchar,
    self_score         double,
    grade              varchar,
    goals_completion   varchar,
    is_demo            boolean not null default false,
    file_name          varchar not null,
    sha256             varchar not null,
    format             varchar not null,
    money_unit         varchar not null,
    template           varchar,
    warnings           varchar[],
    record_json        json not null,      -- the full record as extracted
    loaded_at          timestamp not null default current_timestamp,
    unique (unit_key, fiscal_year)
);

-- Money tables: one row per organisation row of the report (org = '汇总' for
-- the unit as a whole). row_no keeps document order.
create table if not exists income (
    report_id bigint not null, row_no integer not null, org varchar not null,
    total double, carryover double, fiscal_appropriation double,
    fund_appropriation double, special_account_income double, other_income double,
    primary key (report_id, row_no)
);
create table if not exists expenditure (
    report_id bigint not null, row_no integer not null, org varchar not null,
    total double, basic double, personnel double, public double, project double,
    surplus_year double, surplus_cumulative double,
    primary key (report_id, row_no)
);
create table if not exists three_public (
    report_id bigint not null, row_no integer not null, org varchar not null,
    total double, reception double, vehicle_operation double,
    vehicle_purchase double, overseas double,
    primary key (report_id, row_no)
);
create table if not exists fixed_assets (
    report_id bigint not null, row_no integer not null, org varchar not null,
    total double, in_use double, leased double, other double,
    primary key (report_id, row_no)
);

-- The report's own budget-execution row (record.budget: a form's 年度资金总额 /
-- 部门预算执行情况; not in the shared spec): one row per report that states any
-- of it. initial/adjusted/executed in 万元, execution_rate in %, weight and
-- score the row's 分值 and 得分 (a component score, not the self score).
create table if not exists budget (
    report_id bigint primary key,
    initial double, adjusted double, executed double,
    execution_rate double, weight double, score double
);

create table if not exists goals (
    report_id bigint not null, seq integer, row_no integer not null, text varchar not null,
    primary key (report_id, row_no)
);

create table if not exists indicators (
    report_id bigint not null, row_no integer not null,
    level1 varchar, level2 varchar, seq integer, name varchar not null,
    target_text varchar, actual_text varchar, actual_value double, actual_unit varchar,
    weight double, score double, deviation_reason varchar,
    primary key (report_id, row_no)
);

create table if not exists cases (
    report_id bigint not null, row_no integer not null,
    category varchar not null, channel varchar not null, channel_label varchar,
    count integer, amount_wan double, approx boolean not null default false,
    primary key (report_id, row_no)
);

-- section: overview, basic_expenditure, project_expenditure, government_fund,
-- state_capital, social_insurance_fund, performance, problems, improvements, other
create table if not exists narratives (
    report_id bigint not null, section varchar not null, text varchar,
    primary key (report_id, section)
);

-- The submitted file itself, so the dashboard can offer the original.
create table if not exists documents (
    sha256 varchar primary key, file_name varchar not null, format varchar,
    size_bytes bigint, content blob
);

-- Every load attempt. status: loaded | replaced | unchanged | failed.
-- A replaced report's row keeps report_id of the report that was current
-- before (replaced_report_id) so one can tell which file was current when.
-- loaded_by: who loaded it (the OS user for `python -m etl load`, the account for the upload page).
create table if not exists load_log (
    log_id              bigint primary key default nextval('load_log_id_seq'),
    loaded_at           timestamp not null default current_timestamp,
    file_name           varchar not null,
    file_path           varchar,
    sha256              varchar,
    status              varchar not null,
    reason              varchar,
    report_id           bigint,
    replaced_report_id  bigint,
    unit_key            varchar,
    fiscal_year         integer,
    loaded_by           varchar
);
-- Databases made before a column was added get it here (open_db applies this file on every write open).
alter table load_log add column if not exists loaded_by varchar;
