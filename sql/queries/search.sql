-- name: search-by-birth-date
-- Public search: everyone in the region born on that day (a few dozen even in a big city).
select id, nik_hash, name, name_key, kelurahan_code
from voter
where dataset_id = :dataset_id and birth_date = :birth_date and kelurahan_code like :region_pattern;

-- name: search-by-key-sets
-- Help-desk search: voters in the region carrying every key of at least one set (keys joined by
-- commas). A set holds the blocking keys of one or two words, so each is one selective GIN lookup.
select distinct on (v.id) v.id, v.nik_hash, v.name, v.name_key, v.kelurahan_code
from unnest(:key_sets::text[]) as wanted (keys)
cross join lateral (
    select id, nik_hash, name, name_key, kelurahan_code
    from voter
    where dataset_id = :dataset_id
      and name_keys @> string_to_array(wanted.keys, ',')
      and kelurahan_code like :region_pattern
    limit :max_candidates
) as v;

-- name: name-vocabulary
-- Every folded word of the dataset with how many voters carry it (typed words are corrected
-- against these).
select token, voters from name_token_count where dataset_id = :dataset_id;

-- name: token-counts
-- How many voters of the dataset carry each of these folded words.
select token, voters from name_token_count where dataset_id = :dataset_id and token = any(:words::text[]);

-- name: spelling-counts
-- How many voters of the dataset carry each of these words as written (name_tokens).
select spelling, voters from name_spelling_count
where dataset_id = :dataset_id and spelling = any(:words::text[]);

-- name: dataset-has-spellings$
-- False for a dataset imported before spellings were counted (migration 0011).
select exists (select from name_spelling_count where dataset_id = :dataset_id);

-- name: dataset-voters$
select coalesce(rows_loaded, 0) from dataset where id = :dataset_id;
