-- Event positions without a global lock (docs/adr/0009-event-positions.md).
--
-- An event's position in the project and gateway streams is (tx_id, global_seq): the id of the
-- transaction that wrote it, then the order of the writes inside that transaction. Writers take no
-- lock; readers read only below the oldest transaction still running (pg_snapshot_xmin), so a
-- position, once read, never gets a committed event below it later.
--
-- Rows written before this migration were numbered in commit order under the old advisory lock:
-- they keep tx_id 0 and their global_seq order, so a stream id issued before the change (a plain
-- number n, read as position (0, n)) resumes exactly where it was.
alter table job_events add column tx_id bigint;
update job_events set tx_id = 0;
alter table job_events alter column tx_id set default pg_current_xact_id()::text::bigint;
alter table job_events alter column tx_id set not null;

drop index job_events_global_seq_idx;
drop index job_events_project_stream_idx;
create index job_events_position_idx on job_events (tx_id, global_seq);
create index job_events_project_stream_idx on job_events (tenant_id, project_id, tx_id, global_seq);

-- The transaction that wrote the job's latest event. A writer whose own transaction id is lower
-- must start again (ReadModel), so a job's events are in position order too.
alter table jobs add column last_tx_id bigint not null default 0;

-- Room on each page for the new version of a row, so the five or six updates a job gets on its way
-- through the pipeline stay on their page (HOT updates touch no index).
alter table jobs set (fillfactor = 70);

-- Jobs waiting for generation, per tenant, for admission control: the sum of a tenant's rows is its
-- number of queued jobs. Writers add their deltas to shards of their own (creation and gateway
-- commands to a random one of 0..15, the projection to 1000 + a partition it owns), so no writer
-- waits for another's row lock.
create table tenant_backlog (
  tenant_id text    not null,
  shard     integer not null,
  queued    bigint  not null,
  primary key (tenant_id, shard)
);
insert into tenant_backlog (tenant_id, shard, queued)
  select tenant_id, 0, count(*) from jobs where status = 'queued' group by tenant_id;

-- The relay leases the rows it is publishing instead of holding a transaction open while it waits
-- for the broker; a lease that runs out (its relay died) lets another relay publish the row.
alter table outbox add column leased_until timestamptz;
