-- Edit and inpainting (docs/api.md#edit-and-inpainting): what an EDIT job changes, from its spec
-- (JobSpec.edit): {"source": reference, "mask": reference or null}; null for every other job.
alter table jobs add column edit jsonb;

-- Whether an uploaded image is a PNG with an alpha channel (colour type 4 or 6, or a tRNS chunk), so
-- it can serve as an edit's mask; null for images uploaded before (generation checks those).
alter table reference_images add column has_alpha boolean;
