-- Name search without extensions: each voter carries its folded name (service/names/normalise.py)
-- and blocking keys qualified by kab/kota, indexed with core GIN; token counts give rare words
-- more weight than common ones (I, Ni, Wayan, Siti, Muhammad).

alter table voter add column name_key text not null default '';
alter table voter add column name_keys text[] not null default '{}';
-- Byte order for region codes, so `like '18.72.%'` and ranges use the btree index.
alter table voter alter column kelurahan_code type text collate "C";

create table name_token_count (
    dataset_id integer not null references dataset (id) on delete cascade,
    token      text not null,
    voters     integer not null,
    primary key (dataset_id, token)
);

-- Indexes of a loaded staging table: NIK hash (unique), birth date + region (public search),
-- region (help-desk search in a kelurahan) and name keys (help-desk search in a kab/kota).
-- Returns false when a NIK repeats (dedupe, then call again).
create or replace function index_voter_partition(p_dataset_id integer) returns boolean
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    -- Enough memory to sort a large kab/kota's hashes in one pass.
    set local maintenance_work_mem = '256MB';
    execute format('create unique index %I on %I (nik_hash)', table_name || '_nik', table_name);
    execute format('create index %I on %I (birth_date, kelurahan_code)', table_name || '_born', table_name);
    execute format('create index %I on %I (kelurahan_code)', table_name || '_kel', table_name);
    execute format('create index %I on %I using gin (name_keys) with (fastupdate = off)',
                   table_name || '_keys', table_name);
    return true;
exception when unique_violation then
    return false;
end $$;

-- Every help-desk search is recorded: who (token), when, where and what was asked.
create table audit_log (
    id         bigint generated always as identity primary key,
    at         timestamptz not null default now(),
    token_id   integer references api_token (id),
    action     text not null,
    region     text,
    query      text,
    results    integer
);
create index audit_log_token on audit_log (token_id, at);
