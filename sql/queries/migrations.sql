-- name: lock-migrations!
-- One `dpt migrate` at a time: a second one waits, then finds nothing left to apply.
select pg_advisory_lock(:lock_key);

-- name: unlock-migrations!
select pg_advisory_unlock(:lock_key);

-- name: create-migration-table!
create table if not exists schema_migration (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
);

-- name: applied-migrations
select version from schema_migration;

-- name: record-migration!
insert into schema_migration (version, name) values (:version, :name);
