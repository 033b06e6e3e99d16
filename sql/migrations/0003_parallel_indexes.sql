-- The NIK index decides whether a file has repeated NIKs; the search indexes are built after it,
-- one call each, so that the importer can build them at the same time on separate connections.

create or replace function index_voter_partition(p_dataset_id integer) returns boolean
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    set local maintenance_work_mem = '256MB';
    execute format('create unique index %I on %I (nik_hash)', table_name || '_nik', table_name);
    return true;
exception when unique_violation then
    return false;
end $$;

-- One search index of a staging table: 'born' (public search), 'kelurahan' (help desk in a
-- kelurahan) or 'keys' (help desk in a kab/kota, GIN).
create function index_voter_search(p_dataset_id integer, p_index text) returns void
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    set local maintenance_work_mem = '256MB';
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

-- 0002 gave voter.kelurahan_code the "C" collation; joins to region and tps (default collation)
-- then could not use their indexes and read all 91,599 regions per lookup (10 ms). Region
-- prefixes are matched with LIKE as a filter after an index on another column, so the default
-- collation costs nothing there.
alter table voter alter column kelurahan_code type text collate "default";
