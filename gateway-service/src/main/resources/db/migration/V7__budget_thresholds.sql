-- Budget thresholds (docs/api.md#cost-budgets): each budget names the shares of its amount whose
-- crossing is announced, and remembers the highest one announced in its current period.
alter table budgets add column thresholds_percent integer[] not null default '{80,100}';
alter table budgets add column alerted_percent integer not null default 0;

-- A threshold crossed: written by the statement that crossed it, delivered as a budget.threshold
-- webhook by the webhook service (fanned_out_at set once its deliveries are written).
create table budget_alerts (
  id                bigserial primary key,
  tenant_id         text not null,
  project_id        text not null,
  threshold_percent integer not null,
  amount_micros     bigint not null,
  spent_micros      bigint not null,
  reserved_micros   bigint not null,
  period_start      timestamptz not null,
  created_at        timestamptz not null default now(),
  fanned_out_at     timestamptz
);
create index budget_alerts_project on budget_alerts (tenant_id, project_id, id desc);
create index budget_alerts_to_fan_out on budget_alerts (id) where fanned_out_at is null;

-- Every change of a budget's spending, reservations, amount or period goes through here, whichever
-- statement makes it (creation, retry, the projection's settlement, the API): a threshold is
-- announced once per period, when spent plus reserved first reaches it. A new period, or a new
-- amount or set of thresholds, starts counting again.
create function budget_thresholds_crossed() returns trigger language plpgsql as $$
declare
  used numeric;
  threshold integer;
begin
  if new.period_start is distinct from old.period_start
      or new.amount_micros is distinct from old.amount_micros
      or new.thresholds_percent is distinct from old.thresholds_percent then
    new.alerted_percent := 0;
  end if;
  used := case
    when new.amount_micros > 0 then (new.spent_micros + new.reserved_micros) * 100.0 / new.amount_micros
    when new.spent_micros + new.reserved_micros > 0 then 1e9
    else 0 end;
  for threshold in select t from unnest(new.thresholds_percent) as t order by t loop
    if threshold > new.alerted_percent and used >= threshold then
      insert into budget_alerts (tenant_id, project_id, threshold_percent, amount_micros, spent_micros,
                                 reserved_micros, period_start)
      values (new.tenant_id, new.project_id, threshold, new.amount_micros, new.spent_micros,
              new.reserved_micros, new.period_start);
      new.alerted_percent := threshold;
    end if;
  end loop;
  return new;
end
$$;

create trigger budget_thresholds before update on budgets
  for each row execute function budget_thresholds_crossed();
