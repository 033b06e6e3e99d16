-- name: voters-by-nik-hashes
-- Voters of one dataset for a batch of keyed NIK hashes, with their TPS and region names.
-- Concurrent cache misses are coalesced into one call of this query. Through a function whose
-- plan is made once for every batch size (sql/migrations/0010_nik_batch_plans.sql).
select nik_hash, id, name, gender, kelurahan_code,
       tps_number, tps_address, lat, lon, tps_kind, step_free, ground_floor, access_note,
       kelurahan_name, kecamatan_code, kecamatan_name, kabkota_code, kabkota_name,
       provinsi_code, provinsi_name
from voters_by_nik_hashes(:dataset_id, :nik_hashes::bytea[]);

-- name: desk-voters-by-nik-hashes
-- The help-desk console's NIK and batch checks: voters with their TPS, region names and address
-- (full names; the console checks the officer's scope against kelurahan_code).
select nik_hash, id, name, gender, kelurahan_code, address, rt, rw,
       tps_number, tps_address, lat, lon, tps_kind,
       kelurahan_name, kecamatan_code, kecamatan_name, kabkota_code, kabkota_name,
       provinsi_code, provinsi_name
from voter_answer
where dataset_id = :dataset_id and nik_hash = any(:nik_hashes::bytea[]);

-- name: desk-voters-by-kk-hash
-- The family check: every registered member of one household (by the keyed hash of its KK
-- number) inside a region, with TPS and region names.
select nik_hash, id, name, gender, kelurahan_code, address, rt, rw,
       tps_number, tps_address, lat, lon, tps_kind,
       kelurahan_name, kecamatan_code, kecamatan_name, kabkota_code, kabkota_name,
       provinsi_code, provinsi_name
from voter_answer
where dataset_id = :dataset_id and kk_hash = :kk_hash and kelurahan_code like :region_pattern
order by name, id;

-- name: desk-voter-by-id^
-- One voter for a printable notice, by the opaque id a console answer showed.
select nik_hash, id, name, gender, kelurahan_code, address, rt, rw,
       tps_number, tps_address, lat, lon, tps_kind,
       kelurahan_name, kecamatan_code, kecamatan_name, kabkota_code, kabkota_name,
       provinsi_code, provinsi_name
from voter_answer
where dataset_id = :dataset_id and id = :voter_id;

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
