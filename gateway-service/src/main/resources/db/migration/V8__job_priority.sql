-- A job's priority (docs/api.md#priorities), from the spec of its JobRequested or latest
-- JobRetryRequested. Jobs created before priorities existed are normal, as their events read.
alter table jobs add column priority text not null default 'normal'
  constraint jobs_priority_check check (priority in ('high', 'normal', 'low'));
