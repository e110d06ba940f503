-- title: 收支表（历年）
-- group: 单位
-- description: 四张收支表（收入、支出、“三公”经费、固定资产）的每个单元格一行（长表），
--   按年度、表、机构行、栏目排列，便于按单位透视成历年对比表。空白单元格保留为空值行，不按0计。
-- params: filters
-- param tables varchar[] = null: 只看这些表（income / expenditure / three_public / fixed_assets）
-- column fiscal_year: 年度
-- column unit_id: 单位标识
-- column unit_name: 单位名称
-- column report_id: 报告编号
-- column table_code: 表代码
-- column table_name: 表
-- column row_no: 行号
-- column org: 机构行 — “汇总”为单位整体
-- column item: 栏目代码
-- column item_name: 栏目
-- column value: 金额（万元）
-- column is_demo: 演示数据
with

reports as (
    select * from scoped_reports($years, $year_from, $year_to, $units, $sectors, $data_kind)
),

cells as (
    select report_id, row_no, org, 'income' as table_code, item, value
    from income unpivot include nulls (value for item in (
        total, carryover, fiscal_appropriation, fund_appropriation, special_account_income, other_income))
    union all
    select report_id, row_no, org, 'expenditure', item, value
    from expenditure unpivot include nulls (value for item in (
        total, basic, personnel, public, project, surplus_year, surplus_cumulative))
    union all
    select report_id, row_no, org, 'three_public', item, value
    from three_public unpivot include nulls (value for item in (
        total, reception, vehicle_operation, vehicle_purchase, overseas))
    union all
    select report_id, row_no, org, 'fixed_assets', item, value
    from fixed_assets unpivot include nulls (value for item in (total, in_use, leased, other))
),

items as (
    select * from (values
        ('income', 0, '收入', 'total', 0, '收入合计'), ('income', 0, '收入', 'carryover', 1, '上年结转'),
        ('income', 0, '收入', 'fiscal_appropriation', 2, '公共财政拨款'),
        ('income', 0, '收入', 'fund_appropriation', 3, '政府基金拨款'),
        ('income', 0, '收入', 'special_account_income', 4, '纳入专户管理的非税收入拨款'),
        ('income', 0, '收入', 'other_income', 5, '其他收入'),
        ('expenditure', 1, '支出', 'total', 0, '支出合计'), ('expenditure', 1, '支出', 'basic', 1, '基本支出'),
        ('expenditure', 1, '支出', 'personnel', 2, '人员支出'), ('expenditure', 1, '支出', 'public', 3, '公用支出'),
        ('expenditure', 1, '支出', 'project', 4, '项目支出'), ('expenditure', 1, '支出', 'surplus_year', 5, '当年结余'),
        ('expenditure', 1, '支出', 'surplus_cumulative', 6, '累计结余'),
        ('three_public', 2, '“三公”经费', 'total', 0, '三公经费合计'), ('three_public', 2, '“三公”经费', 'reception', 1, '公务接待费'),
        ('three_public', 2, '“三公”经费', 'vehicle_operation', 2, '公务用车运维费'),
        ('three_public', 2, '“三公”经费', 'vehicle_purchase', 3, '公务用车购置费'),
        ('three_public', 2, '“三公”经费', 'overseas', 4, '因公出国费'),
        ('fixed_assets', 3, '固定资产', 'total', 0, '固定资产合计'), ('fixed_assets', 3, '固定资产', 'in_use', 1, '在用固定资产'),
        ('fixed_assets', 3, '固定资产', 'leased', 2, '出租固定资产'), ('fixed_assets', 3, '固定资产', 'other', 3, '其他')
    ) as t(table_code, table_order, table_name, item, item_order, item_name)
),

final as (
    select
        r.fiscal_year,
        r.unit_id,
        r.unit_name,
        r.report_id,
        c.table_code,
        i.table_name,
        c.row_no,
        c.org,
        c.item,
        i.item_name,
        c.value,
        r.is_demo,
        i.table_order,
        i.item_order
    from cells as c
    join reports as r on r.report_id = c.report_id
    join items as i on i.table_code = c.table_code and i.item = c.item
    where $tables is null or list_contains($tables, c.table_code)
)

select * exclude (table_order, item_order) from final
order by unit_name, fiscal_year desc, table_order, row_no, item_order
