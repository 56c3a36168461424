-- Read model of the lifecycle topic: one row per job, the fold of its events (ReadModel.apply).
-- Free-form values written by other services are text, so no event can fail on a length limit.
create table jobs (
  job_id                text primary key,
  tenant_id             text not null,
  job_type              text not null,
  project_id            text not null,
  branch_id             text not null,
  scene_id              text,
  shot_id               text,
  asset_id              text,
  prompt                text not null,
  style_capsule_id      text,
  aspect_ratio          text not null,
  image_size            text,
  provider              text not null,
  model                 text not null,
  status                text not null,
  attempt_count         integer not null default 0,
  retry_count           integer not null default 0,
  cancel_requested      boolean not null default false,
  failure_stage         text,
  error_class           text,
  error_code            text,
  error_message         text,
  estimated_cost_micros bigint not null default 0,
  actual_cost_micros    bigint,
  storage_path          text,
  object_uri            text,
  content_type          text,
  size_bytes            bigint,
  width                 integer,
  height                integer,
  sha256                text,
  created_at            timestamptz not null,
  started_at            timestamptz,
  completed_at          timestamptz,
  updated_at            timestamptz not null,
  last_event_seq        integer not null
);

create index jobs_tenant_project_created_idx on jobs (tenant_id, project_id, created_at desc);

-- Every applied event of a job in order (seq 1, 2, ...). The partition and offset are null for the
-- JobRequested the gateway applies itself when it creates the job; the projection skips its
-- relayed copy because the event id is already here.
create table job_events (
  job_id          text not null references jobs (job_id),
  seq             integer not null,
  event_id        text not null unique,
  event_type      text not null,
  status_after    text not null,
  occurred_at     timestamptz not null,
  producer        text not null,
  attempt         integer not null,
  kafka_partition integer,
  kafka_offset    bigint,
  detail          jsonb not null,
  primary key (job_id, seq)
);

-- Where the projection resumes: written in the same transaction as the rows it applied.
create table projection_offsets (
  consumer_group text not null,
  topic          text not null,
  partition      integer not null,
  next_offset    bigint not null,
  updated_at     timestamptz not null default now(),
  primary key (consumer_group, topic, partition)
);

-- Events waiting for the relay: written in the same transaction as the read-model change.
create table outbox (
  id         bigserial primary key,
  job_id     text not null,
  event_type text not null,
  payload    bytea not null,
  created_at timestamptz not null default now()
);

-- The relay publishes only the oldest pending event of each job (see OutboxRelay).
create index outbox_job_id_idx on outbox (job_id, id);
