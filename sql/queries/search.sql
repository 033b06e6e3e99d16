-- name: search-by-birth-date
-- Public search: everyone in the region born on that day (a few dozen even in a big city).
select id, nik_hash, name, name_key, kelurahan_code
from voter
where dataset_id = :dataset_id and birth_date = :birth_date and kelurahan_code like :region_pattern;

-- name: search-by-keys
-- Help-desk search: voters in the region sharing a blocking key with the typed name.
select id, nik_hash, name, name_key, kelurahan_code
from voter
where dataset_id = :dataset_id and name_keys && :keys::text[] and kelurahan_code like :region_pattern
limit :max_candidates;

-- name: token-counts
-- How many voters of the dataset carry each of these folded words.
select token, voters from name_token_count where dataset_id = :dataset_id and token = any(:tokens::text[]);

-- name: dataset-voters
select coalesce(rows_loaded, 0) from dataset where id = :dataset_id;
