-- What the earlier runs of a job took, so the view shows totals across runs beside the current
-- run's attempts and cost. Rows written before count from their current run; a rebuild of the
-- read model from the lifecycle topic fills them in.
ALTER TABLE jobs
  ADD COLUMN earlier_attempts integer NOT NULL DEFAULT 0,
  ADD COLUMN earlier_cost_micros bigint NOT NULL DEFAULT 0;
