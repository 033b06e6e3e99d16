-- name: published-dataset^
-- The dataset version lookups answer from, or no row before the first publish.
select d.id, d.version, d.election, d.polling_date
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
select id, version, election, polling_date, status, rows_read, rows_loaded, rows_rejected,
       created_at, published_at
from dataset order by id;

-- name: dataset-by-version^
select id, version, status from dataset where version = :version;

-- name: create-voter-partition$
select create_voter_partition(:dataset_id);

-- name: dedupe-voter-partition
select source_row, first_row from dedupe_voter_partition(:dataset_id);

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
