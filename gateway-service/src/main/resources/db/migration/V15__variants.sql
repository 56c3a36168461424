-- Variations with selection (docs/api.md#variations): how many images a job asked for
-- (JobSpec.variants), each variant as its events tell it, and the one a client selected (null until
-- a VariantSelected; the job's image is then that variant's).
alter table jobs
  add column variant_count integer not null default 1,
  add column variants jsonb not null default '[]',
  add column selected_variant integer;
