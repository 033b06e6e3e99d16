-- name: voters-by-nik-hashes
-- Voters of one dataset for a batch of keyed NIK hashes, with their TPS and region names.
-- Concurrent cache misses are coalesced into one call of this query.
select v.nik_hash, v.id, v.name, v.gender, v.kelurahan_code,
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
