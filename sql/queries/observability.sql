-- name: dataset-published-at$
-- When the dataset lookups answer from was published (for the dpt_dataset_* metrics).
select published_at from published_dataset where dataset_id = :dataset_id;
