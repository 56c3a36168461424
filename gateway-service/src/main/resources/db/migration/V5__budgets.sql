-- Cost budgets per tenant and project (docs/api.md#cost-budgets): what may be spent, what was, and
-- what the runs not yet ended hold. A budget counts the jobs created after it was set.
create table budgets (
  tenant_id       text not null,
  project_id      text not null,
  amount_micros   bigint not null check (amount_micros >= 0),
  monthly_reset   boolean not null,
  -- The start of the month whose spending spent_micros holds, for a monthly budget.
  period_start    timestamptz not null,
  spent_micros    bigint not null default 0,
  reserved_micros bigint not null default 0,
  -- How far actual costs went past what their runs had reserved.
  overrun_micros  bigint not null default 0,
  updated_at      timestamptz not null default now(),
  primary key (tenant_id, project_id)
);

-- What each run of a job holds of its project's budget until the run ends; settled by the projection.
create table budget_reservations (
  job_id     text not null,
  run        integer not null,
  tenant_id  text not null,
  project_id text not null,
  micros     bigint not null,
  primary key (job_id, run)
);
