-- name: voters-by-nik-hashes
-- Voters of one dataset for a batch of keyed NIK hashes, with their TPS and region names.
-- Concurrent cache misses are coalesced into one call of this query.
select v.nik_hash, v.id, v.name, v.gender, v.kelurahan_code,
       t.number as tps_number, t.address as tps_address, t.lat, t.lon, t.kind as tps_kind,
       t.step_free, t.ground_floor, t.access_note,
       kel.name as kelurahan_name,
       kec.code as kecamatan_code, kec.name as kecamatan_name,
       kab.code as kabkota_code, kab.name as kabkota_name,
       prov.code as provinsi_code, prov.name as provinsi_name
from voter v
join tps t on t.dataset_id = v.dataset_id and t.kelurahan_code = v.kelurahan_code and t.number = v.tps_number
join region kel on kel.code = v.kelurahan_code
join region kec on kec.code = kel.parent_code
join region kab on kab.code = kec.parent_code
join region prov on prov.code = kab.parent_code
where v.dataset_id = :dataset_id and v.nik_hash = any(:nik_hashes::bytea[]);

-- name: desk-voters-by-nik-hashes
-- The help-desk console's NIK and batch checks: voters with their TPS, region names and address
-- (full names; the console checks the officer's scope against kelurahan_code).
select v.nik_hash, v.id, v.name, v.gender, v.kelurahan_code, v.address, v.rt, v.rw,
       t.number as tps_number, t.address as tps_address, t.lat, t.lon, t.kind as tps_kind,
       kel.name as kelurahan_name,
       kec.code as kecamatan_code, kec.name as kecamatan_name,
       kab.code as kabkota_code, kab.name as kabkota_name,
       prov.code as provinsi_code, prov.name as provinsi_name
from voter v
join tps t on t.dataset_id = v.dataset_id and t.kelurahan_code = v.kelurahan_code and t.number = v.tps_number
join region kel on kel.code = v.kelurahan_code
join region kec on kec.code = kel.parent_code
join region kab on kab.code = kec.parent_code
join region prov on prov.code = kab.parent_code
where v.dataset_id = :dataset_id and v.nik_hash = any(:nik_hashes::bytea[]);

-- name: desk-voters-by-kk-hash
-- The family check: every registered member of one household (by the keyed hash of its KK
-- number) inside a region, with TPS and region names.
select v.nik_hash, v.id, v.name, v.gender, v.kelurahan_code, v.address, v.rt, v.rw,
       t.number as tps_number, t.address as tps_address, t.lat, t.lon, t.kind as tps_kind,
       kel.name as kelurahan_name,
       kec.code as kecamatan_code, kec.name as kecamatan_name,
       kab.code as kabkota_code, kab.name as kabkota_name,
       prov.code as provinsi_code, prov.name as provinsi_name
from voter v
join tps t on t.dataset_id = v.dataset_id and t.kelurahan_code = v.kelurahan_code and t.number = v.tps_number
join region kel on kel.code = v.kelurahan_code
join region kec on kec.code = kel.parent_code
join region kab on kab.code = kec.parent_code
join region prov on prov.code = kab.parent_code
where v.dataset_id = :dataset_id and v.kk_hash = :kk_hash and v.kelurahan_code like :region_pattern
order by v.name, v.id;

-- name: desk-voter-by-id^
-- One voter for a printable notice, by the opaque id a console answer showed.
select v.nik_hash, v.id, v.name, v.gender, v.kelurahan_code, v.address, v.rt, v.rw,
       t.number as tps_number, t.address as tps_address, t.lat, t.lon, t.kind as tps_kind,
       kel.name as kelurahan_name,
       kec.code as kecamatan_code, kec.name as kecamatan_name,
       kab.code as kabkota_code, kab.name as kabkota_name,
       prov.code as provinsi_code, prov.name as provinsi_name
from voter v
join tps t on t.dataset_id = v.dataset_id and t.kelurahan_code = v.kelurahan_code and t.number = v.tps_number
join region kel on kel.code = v.kelurahan_code
join region kec on kec.code = kel.parent_code
join region kab on kab.code = kec.parent_code
join region prov on prov.code = kab.parent_code
where v.dataset_id = :dataset_id and v.id = :voter_id;

-- name: desk-voters-of-tps
-- The notice board's list of one TPS: names, gender and the NIK as KPU masks it, by name.
select v.name, v.gender, v.nik_masked, v.rt, v.rw
from voter v
where v.dataset_id = :dataset_id and v.kelurahan_code = :kelurahan_code and v.tps_number = :tps_number
order by v.name, v.id;

-- name: desk-tps^
-- One TPS of the published dataset with its kelurahan's name (the notice board list's heading).
select t.number, t.address, t.lat, t.lon, t.kind, kel.name as kelurahan_name
from tps t join region kel on kel.code = t.kelurahan_code
where t.dataset_id = :dataset_id and t.kelurahan_code = :kelurahan_code and t.number = :tps_number;
