-- name: search-by-birth-date
-- Public search: everyone in the region born on that day (a few dozen even in a big city).
select id, nik_hash, name, name_key, kelurahan_code
from voter
where dataset_id = :dataset_id and birth_date = :birth_date and kelurahan_code like :region_pattern;

-- name: search-by-keys
-- Help-desk search: voters in the region carrying both keys of at least one pair. Pairs are
-- built from the rarest typed words (one key of each of two words), so each pair is one
-- selective GIN lookup and a typo in a word still leaves its other key to match.
select distinct on (v.id) v.id, v.nik_hash, v.name, v.name_key, v.kelurahan_code
from unnest(:first_keys::text[], :second_keys::text[]) as pair (first_key, second_key)
cross join lateral (
    select id, nik_hash, name, name_key, kelurahan_code
    from voter
    where dataset_id = :dataset_id
      and name_keys @> array[pair.first_key, pair.second_key]
      and kelurahan_code like :region_pattern
    limit :max_candidates
) as v;

-- name: token-counts
-- How many voters of the dataset carry each of these folded words.
select token, voters from name_token_count where dataset_id = :dataset_id and token = any(:tokens::text[]);

-- name: dataset-voters$
select coalesce(rows_loaded, 0) from dataset where id = :dataset_id;
