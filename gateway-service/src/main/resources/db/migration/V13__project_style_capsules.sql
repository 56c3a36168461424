-- Style capsules of a project (docs/api.md#style-capsules): each change is a new, immutable version;
-- a job records the version it used (jobs.style_capsule_version) and carries its text and images in
-- its spec. A deleted capsule is hidden from new jobs; its versions stay for the jobs that used them.
create table style_capsules (
  tenant_id     text not null,
  project_id    text not null,
  capsule_id    text not null,
  version       integer not null,
  style_text    text not null,
  -- Uploaded reference images (reference_images.reference_id) sent with every job that uses it.
  reference_ids text[] not null default '{}',
  created_at    timestamptz not null default now(),
  deleted_at    timestamptz,
  primary key (tenant_id, project_id, capsule_id, version)
);

alter table jobs add column style_capsule_version integer;
