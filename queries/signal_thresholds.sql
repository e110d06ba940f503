-- title: 高分低执行的界线
-- group: 列表
-- description: 可信度信号“高分低执行”的两条界线：自评得分不低于此分、且预算执行率低于此值的报告被标出（界线只在 queries/_derive.sql 中写一次）。
-- column self_score_min: 高分界线（分）
-- column execution_rate_max: 低执行界线（%）
select high_score_min() as self_score_min, low_execution_max() as execution_rate_max
