-- name: region-source$
select value from meta where key = 'region_source';

-- name: set-region-source!
insert into meta (key, value) values ('region_source', :value)
on conflict (key) do update set value = excluded.value;

-- name: create-region-staging!
create temporary table region_staging (like region) on commit drop;

-- name: merge-region-staging!
-- Parents first (ordered by level) so the parent_code foreign key holds at every row.
insert into region (code, name, level, parent_code)
select code, name, level, parent_code from region_staging order by level
on conflict (code) do update
set name = excluded.name, level = excluded.level, parent_code = excluded.parent_code;

-- name: analyze-regions!
-- The NIK answer joins four levels of region (sql/migrations/0010): fresh statistics after a sync.
analyze region;

-- name: region-by-code^
select code, name, level, parent_code from region where code = :code;

-- name: kecamatan-prefixes$
-- The six-digit codes of every kecamatan (a NIK's first six digits), comma-separated.
select string_agg(replace(code, '.', ''), ',') from region where level = 3;

-- name: kelurahan-codes$
-- All 83,762 codes as one comma-separated text: one value decodes far faster than 83,762 rows.
select string_agg(code, ',') from region where level = 4;

-- name: dataset-kabkota
-- The kab/kota that have polling stations in a dataset (the resident page's first list).
select kab.code, kab.name
from (select distinct substr(kelurahan_code, 1, 5) as code from tps where dataset_id = :dataset_id) as t
join region kab on kab.code = t.code
order by kab.name;

-- name: dataset-kelurahan-in
-- The kelurahan of one kab/kota that have polling stations in a dataset, with their kecamatan.
select kel.code, kel.name, kec.code as kecamatan_code, kec.name as kecamatan_name
from (select distinct kelurahan_code from tps
      where dataset_id = :dataset_id and kelurahan_code like :kabkota || '.%') as t
join region kel on kel.code = t.kelurahan_code
join region kec on kec.code = kel.parent_code
order by kec.name, kel.name;
