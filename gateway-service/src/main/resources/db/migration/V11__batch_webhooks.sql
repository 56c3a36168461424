-- batch.ended webhooks (docs/webhooks.md), written by the webhook service's intake: the latest
-- ended run of each job of a batch as the intake read it from the lifecycle (a retry takes the job
-- out again), and the batches announced. A batch has ended once every one of its jobs
-- (jobs.batch_id) has a row in webhook_batch_endings; it is announced once.
create table webhook_batch_endings (
  job_id   text primary key,
  batch_id text not null,
  run      integer not null,
  -- completed, failed or canceled
  status   text not null,
  ended_at timestamptz not null
);
create index webhook_batch_endings_batch on webhook_batch_endings (batch_id);

create table webhook_batches_ended (
  batch_id   text primary key,
  ended_at   timestamptz not null,
  created_at timestamptz not null default now()
);
