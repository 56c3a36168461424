-- Reference images (docs/api.md#reference-images): images uploaded to a project, stored privately
-- in the bucket under the project, which jobs may send to the model with their prompt.
create table reference_images (
  reference_id text primary key,
  tenant_id    text not null,
  project_id   text not null,
  storage_path text not null,
  content_type text not null,
  size_bytes   bigint not null,
  width        integer not null,
  height       integer not null,
  sha256       text not null,
  -- The name the client gave the file, shown in lists; optional.
  file_name    text,
  created_at   timestamptz not null default now()
);
create index reference_images_project on reference_images (tenant_id, project_id, created_at desc);

-- The reference images each job sends, in order, from its spec (JobSpec.references); none for
-- jobs created before.
alter table jobs add column reference_images jsonb not null default '[]';
