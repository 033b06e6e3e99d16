-- The importer builds a partition's indexes in two lanes, one core each, on two connections
-- (service/importer.py, _build_indexes). PostgreSQL's own
-- parallel index workers would then only fight those lanes for the same two cores (the GIN
-- build took 3.1 s instead of 1.9 s beside them), so each build here runs on its own core.

create or replace function index_voter_partition(p_dataset_id integer) returns boolean
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    set local maintenance_work_mem = '256MB';
    set local max_parallel_maintenance_workers = 0;
    execute format('create unique index %I on %I (nik_hash)', table_name || '_nik', table_name);
    return true;
exception when unique_violation then
    return false;
end $$;

create or replace function index_voter_search(p_dataset_id integer, p_index text) returns void
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    set local maintenance_work_mem = '256MB';
    set local max_parallel_maintenance_workers = 0;
    if p_index = 'born' then
        execute format('create index %I on %I (birth_date, kelurahan_code)', table_name || '_born', table_name);
    elsif p_index = 'kelurahan' then
        execute format('create index %I on %I (kelurahan_code)', table_name || '_kel', table_name);
    elsif p_index = 'keys' then
        execute format('create index %I on %I using gin (name_keys) with (fastupdate = off)',
                       table_name || '_keys', table_name);
    else
        raise exception 'unknown search index %', p_index;
    end if;
end $$;

-- Name keys are ASCII letters, digits and '>', compared only for equality: the "C" collation
-- compares them with memcmp, which makes the GIN build 30% faster than the database's locale.
alter table voter alter column name_keys type text[] collate "C";
