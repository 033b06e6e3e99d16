-- Data quality, election details and TPS accessibility (service/quality/, service/voters/election.py).

-- The election a dataset is for, beyond its name and polling day: kind, polling and DPK hours,
-- DPTb deadlines, time zones (service/voters/election.py, ElectionDetails as JSON).
alter table dataset add column details jsonb;
-- One count per finding kind of its data-quality report (service/quality/report.py).
alter table dataset add column quality jsonb;

-- Optional tps.csv columns the answers show to voters who need them.
alter table tps add column step_free boolean;       -- akses_tanpa_tangga: reachable without steps
alter table tps add column ground_floor boolean;    -- lantai_dasar: on the ground floor
alter table tps add column access_note text;        -- catatan_akses: anything else (a ramp, a helper)
alter table tps add column source_line integer;      -- its line in tps.csv, for the report

-- What only the import can see (rows it refused or merged, and facts of the NIK, which is never
-- stored): the same NIK twice, voters pointing at a TPS absent from tps.csv, a NIK whose date or
-- gender disagrees with the columns. By file line; a name only masked; never a NIK.
create table dataset_finding (
    dataset_id     integer not null references dataset (id) on delete cascade,
    kind           text not null,
    line           integer not null,
    other_line     integer,               -- the line first holding the same NIK
    kelurahan_code text,
    tps_number     integer,
    masked_name    text,
    score          real                   -- name likeness of a repeated NIK's two rows (0..100)
);
create index dataset_finding_kind on dataset_finding (dataset_id, kind, line);

-- As before (0001), and each duplicate's name and the first row's name, so the report can tell a
-- row entered twice from one NIK under two names.
drop function dedupe_voter_partition(integer);
create function dedupe_voter_partition(p_dataset_id integer)
returns table (source_row integer, first_row integer, name text, first_name text)
language plpgsql as $$
begin
    return query execute format(
        'with duplicated as (
             select distinct on (nik_hash) nik_hash, source_row as first_row, name as first_name
             from %I
             where nik_hash in (select nik_hash from %I group by nik_hash having count(*) > 1)
             order by nik_hash, source_row
         )
         delete from %I v using duplicated d
         where v.nik_hash = d.nik_hash and v.source_row <> d.first_row
         returning v.source_row, d.first_row, v.name, d.first_name',
        'voter_' || p_dataset_id, 'voter_' || p_dataset_id, 'voter_' || p_dataset_id);
end $$;
