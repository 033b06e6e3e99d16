-- name: published-dataset^
-- The dataset version lookups answer from, or no row before the first publish.
select d.id, d.version, d.election, d.polling_date, d.details
from published_dataset p
join dataset d on d.id = p.dataset_id;

-- name: finish-dataset!
update dataset
set status = :status, rows_read = :rows_read, rows_loaded = :rows_loaded, rows_rejected = :rows_rejected
where id = :dataset_id;

-- name: publish-dataset!
-- Point lookups at a ready dataset; the previously published one is kept for rollback.
with previous as (
    update dataset set status = 'retired'
    where status = 'published' and id <> :dataset_id
    returning id
)
insert into published_dataset (singleton, dataset_id, published_at)
values (true, :dataset_id, now())
on conflict (singleton) do update set dataset_id = excluded.dataset_id, published_at = excluded.published_at;

-- name: mark-published!
update dataset set status = 'published', published_at = now() where id = :dataset_id;

-- name: datasets-to-drop
-- Retired datasets beyond the newest `keep`, and failed ones: their voters can go.
select id from dataset
where (status = 'retired'
       and id not in (select id from dataset where status = 'retired' order by id desc limit :keep))
   or status = 'failed';

-- name: delete-dataset!
delete from dataset where id = :dataset_id;

-- name: list-datasets
-- Every version with its counts, quality counts and status, oldest first (`dpt datasets`).
select id, version, election, polling_date, status, rows_read, rows_loaded, rows_rejected, quality,
       created_at, published_at
from dataset order by id;

-- name: dataset-by-version^
select id, version, status from dataset where version = :version;

-- name: create-voter-partition$
select create_voter_partition(:dataset_id);

-- name: dedupe-voter-partition
select source_row, first_row, name, first_name, first_kelurahan_code, first_tps_number
from dedupe_voter_partition(:dataset_id);

-- name: index-voter-partition$
select index_voter_partition(:dataset_id);

-- name: index-voter-search!
select index_voter_search(:dataset_id, :index_name);

-- name: attach-voter-partition!
select attach_voter_partition(:dataset_id);

-- name: drop-voter-partition!
select drop_voter_partition(:dataset_id);

-- name: create-dataset$
-- A new version, 'loading', locked by this session until the import ends (advisory lock
-- class 7461: one per dataset being imported). Taken in the statement that creates the row, so no
-- other session ever sees it 'loading' and unlocked while its import lives.
with created as (
    insert into dataset (version, election, polling_date)
    values (:version, :election, :polling_date)
    returning id
)
select id from created where pg_advisory_lock(7461, id) is not null;

-- name: unlock-dataset!
select pg_advisory_unlock(7461, :dataset_id);

-- name: claim-orphan-datasets
-- Datasets still 'loading' whose import died without cleaning up (killed, machine lost): no
-- session holds their lock. Each one returned is locked by this session from now on.
with loading as materialized (
    select id from dataset where status = 'loading'
)
select id from loading where pg_try_advisory_lock(7461, id) order by id;

-- name: discard-dataset$
-- Delete an unpublished dataset (its TPS and word counts go with it) if its status is one of
-- `statuses`; its id, or null when it was not. Checked in the delete itself, so a version that a
-- concurrent session has just published or finished is never removed.
delete from dataset where id = :dataset_id and status = any(:statuses::text[])
returning id;

-- name: dataset-details!
-- The election details of a version (service/voters/election.py), set at import.
update dataset set details = :details::jsonb where id = :dataset_id;

-- name: dataset-for-quality^
-- The version a report is about: the named one, else the published one, else the newest.
select id, version, election, polling_date, status, rows_loaded
from dataset
where version = :version
   or (:version::text is null and status in ('published', 'ready', 'retired'))
order by version = :version desc nulls last, status = 'published' desc, id desc
limit 1;

-- name: set-dataset-quality!
update dataset set quality = :quality::jsonb where id = :dataset_id;

-- name: dataset-token-counts
-- How many voters carry each folded word: the name matcher's weights.
select token, voters from name_token_count where dataset_id = :dataset_id;

-- name: quality-birth-blocks
-- The voters of each block of one birth date and kab/kota (kelurahan codes start with it) that
-- holds two or more, one row per block, for the duplicate-person search; read through a cursor,
-- so memory stays flat. One row per block instead of per voter: the arrays are decoded in C.
select array_agg(source_row) as lines, array_agg(name) as names, array_agg(name_key) as name_keys,
    array_agg(kelurahan_code) as kelurahan_codes, array_agg(tps_number) as tps_numbers
from voter
where dataset_id = :dataset_id
group by birth_date, left(kelurahan_code, 5)
having count(*) > 1
order by birth_date, left(kelurahan_code, 5);

-- name: quality-under-age
-- Voters born after `born_after` (younger than the voting age on polling day).
select source_row, name, birth_date, kelurahan_code, tps_number, note
from voter
where dataset_id = :dataset_id and birth_date > :born_after
order by source_row;

-- name: quality-import-findings
-- What the import recorded; a repeated NIK's finding holds the place and masked name of the row
-- the NIK was first on.
select kind, line, other_line, masked_name, other_masked_name, score, kelurahan_code, tps_number
from dataset_finding
where dataset_id = :dataset_id
order by kind, line;

-- name: quality-tps-counts
-- TPS with no voters or more than `max_voters`, with their line in tps.csv.
select t.source_line, t.kelurahan_code, t.number, coalesce(c.voters, 0) as voters
from tps t
left join (
    select kelurahan_code, tps_number, count(*) as voters
    from voter where dataset_id = :dataset_id
    group by kelurahan_code, tps_number
) c on c.kelurahan_code = t.kelurahan_code and c.tps_number = t.number
where t.dataset_id = :dataset_id and (c.voters is null or c.voters > :max_voters)
order by t.source_line;

-- name: dataset-for-publish^
-- A version with what publishing it needs to know: status, counts and quality counts.
select d.id, d.version, d.status, d.rows_loaded, d.quality,
       (select count(*) from tps t where t.dataset_id = d.id) as tps_loaded
from dataset d where d.version = :version;

-- name: dataset-quality^
-- One version's status and quality counts (the admin API).
select version, status, election, polling_date, rows_loaded, quality from dataset where version = :version;
