-- The style text of a job's capsule, kept so a retry sends the same spec.
alter table jobs add column style_text text;

-- Keyset pagination, newest first, with the job id as tie-breaker.
drop index jobs_tenant_project_created_idx;
create index jobs_tenant_project_page_idx on jobs (tenant_id, project_id, created_at desc, job_id desc);
create index jobs_tenant_page_idx on jobs (tenant_id, created_at desc, job_id desc);

-- Event streams. global_seq orders every event of every job: writers take one transaction-scoped
-- advisory lock before they insert (ReadModel.apply), so numbers are handed out in commit order and a
-- reader that has seen n will never later find a committed event below n. Rows written before this
-- migration are numbered in physical order. job_after is the job as it was right after the event
-- (the SSE data); it is null for events written before this migration.
alter table job_events add column global_seq bigserial;
alter table job_events add column tenant_id text;
alter table job_events add column project_id text;
alter table job_events add column job_after jsonb;
update job_events e set tenant_id = j.tenant_id, project_id = j.project_id from jobs j where j.job_id = e.job_id;
alter table job_events alter column tenant_id set not null;
alter table job_events alter column project_id set not null;
create unique index job_events_global_seq_idx on job_events (global_seq);
create index job_events_project_stream_idx on job_events (tenant_id, project_id, global_seq);

-- Idempotency-Key records: the request's fingerprint and the response it got, written in the
-- transaction that creates the job, so a key never points at a job that does not exist.
create table idempotency_keys (
  tenant_id         text not null,
  idempotency_key   text not null,
  fingerprint       text not null,
  job_id            text,
  response_status   integer,
  response_location text,
  response_body     text,
  created_at        timestamptz not null default now(),
  expires_at        timestamptz not null,
  primary key (tenant_id, idempotency_key)
);

create index idempotency_keys_expires_idx on idempotency_keys (expires_at);
