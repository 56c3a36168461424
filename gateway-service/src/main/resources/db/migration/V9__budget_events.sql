-- Budget thresholds reached are also published as BudgetThresholdReached events on
-- image-jobs.budgets.v1 (docs/events.md#budget-events) by the webhook service, which sets
-- published_at once the broker acknowledged them. Alerts from before were announced by webhook only.
alter table budget_alerts add column published_at timestamptz;
update budget_alerts set published_at = coalesce(fanned_out_at, created_at);
create index budget_alerts_to_publish on budget_alerts (tenant_id, project_id, id) where published_at is null;
