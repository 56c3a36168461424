-- The batch a job was created in (POST /api/v1/images/batches, docs/api.md#batches), from the spec
-- of its JobRequested; null for a job created alone and for jobs created before batches existed.
-- A batch is the set of its jobs: its view and its event stream read them by this column.
alter table jobs add column batch_id text;
create index jobs_batch_idx on jobs (batch_id) where batch_id is not null;
