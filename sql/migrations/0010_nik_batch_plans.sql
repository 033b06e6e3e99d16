-- The NIK batch query (voters-by-nik-hashes) gets a plan that suits every batch size, planned once.

-- Statistics for the TPS and region tables, which the answer joins (voter_answer, 0008). Neither
-- had ever been analysed, and autovacuum may be off or not yet round: the planner took a
-- dataset's TPS for 2 rows and, for a batch of some 40 NIKs, scanned them first and read the
-- voters of each TPS's kelurahan (413 ms) instead of fetching the 40 voters by NIK and hashing
-- the TPS (1.5 ms). Under load one such batch made the next one larger, and cache-miss lookups
-- fell to half their rate. The TPS table is analysed whenever a partition is attached (the
-- dataset's TPS are loaded by then), the region table after every region sync
-- (service/store/migrate.py) and here once.
create or replace function attach_voter_partition(p_dataset_id integer) returns void
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    execute format('analyze %I (dataset_id, nik_hash, kk_hash, kelurahan_code, birth_date)', table_name);
    analyze tps;
    execute format('alter table voter attach partition %I for values in (%s)', table_name, p_dataset_id);
end $$;

analyze tps;
analyze region;

-- With those statistics, a batch of a few NIKs looks cheaper planned for its own size, so
-- PostgreSQL kept planning the six-table join afresh for each batch: 1.6-2.0 ms a batch of 1-7
-- NIKs, against 0.2-0.4 ms with the plan made once for any batch (the same plan it then used
-- for batches of 20 and more). The function holds the query with its plan made once per
-- connection, whatever the batch size.
create function voters_by_nik_hashes(p_dataset_id integer, p_nik_hashes bytea[])
returns setof voter_answer
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
begin
    return query select * from voter_answer where dataset_id = p_dataset_id and nik_hash = any(p_nik_hashes);
end $$;
