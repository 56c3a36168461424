-- Webhooks (docs/webhooks.md): endpoints registered per tenant and project through the gateway's
-- API, and their deliveries, written and sent by the webhook service.
create table webhook_endpoints (
  id                         uuid primary key,
  tenant_id                  text not null,
  project_id                 text not null,
  url                        text not null,
  description                text,
  -- job.completed, job.failed, job.canceled
  event_types                text[] not null,
  -- Signing secrets, sealed with imagejobs.webhooks.encryption-key (AES-256-GCM); the previous one
  -- still signs until previous_secret_expires_at after a rotation.
  secret                     bytea not null,
  previous_secret            bytea,
  previous_secret_expires_at timestamptz,
  enabled                    boolean not null default true,
  disabled_at                timestamptz,
  disabled_reason            text,
  -- Since when every attempt to this endpoint has failed; null after a success.
  failing_since              timestamptz,
  created_at                 timestamptz not null default now(),
  updated_at                 timestamptz not null default now()
);
create index webhook_endpoints_project on webhook_endpoints (tenant_id, project_id);

-- One event for one endpoint. A job's events are inserted in the order of its lifecycle, so the
-- id orders them; an endpoint gets a job's next event only after the one before has ended.
create table webhook_deliveries (
  id              bigserial primary key,
  endpoint_id     uuid not null references webhook_endpoints (id) on delete cascade,
  -- The lifecycle event delivered; the webhook-id header is msg_<event_id>, the same on every attempt.
  event_id        text not null,
  job_id          text not null,
  event_type      text not null,
  -- The payload's data; null for a completion, whose data is the job's completed summary
  -- (webhook_summaries), joined when it is sent.
  data            jsonb,
  occurred_at     timestamptz not null,
  -- pending, delivered, or failed once the retry schedule is spent.
  status          text not null default 'pending',
  attempts        integer not null default 0,
  -- The step of the retry schedule the next failure waits for; a redelivery starts it again.
  schedule_step   integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- An instance sending it holds it until then (a crashed instance's deliveries come due again).
  leased_until    timestamptz,
  created_at      timestamptz not null default now(),
  ended_at        timestamptz,
  unique (endpoint_id, event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_job_order on webhook_deliveries (endpoint_id, job_id, id) where status = 'pending';
create index webhook_deliveries_log on webhook_deliveries (endpoint_id, id desc);

-- Every attempt of a delivery: the delivery log.
create table webhook_attempts (
  delivery_id      bigint not null references webhook_deliveries (id) on delete cascade,
  attempt          integer not null,
  attempted_at     timestamptz not null,
  -- null when no HTTP answer came (refused, timed out, connection failed)
  status_code      integer,
  latency_ms       integer not null,
  error            text,
  response_excerpt text,
  primary key (delivery_id, attempt)
);

-- Completed summaries (image-jobs.completed.v1) of the jobs of projects with an endpoint for
-- job.completed: the data of their completion deliveries.
create table webhook_summaries (
  job_id     text primary key,
  summary    jsonb not null,
  created_at timestamptz not null default now()
);
