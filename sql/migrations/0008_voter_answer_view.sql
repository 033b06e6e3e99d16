-- One voter with their TPS and the names of their regions: what every answer about a voter shows
-- (the NIK lookup, search results, the help-desk console). Queries filter it like `voter`; the
-- planner inlines the view, so partition pruning and the voter indexes still apply.
create view voter_answer as
select v.dataset_id, v.nik_hash, v.kk_hash, v.id, v.name, v.gender, v.kelurahan_code,
       v.address, v.rt, v.rw,
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
join region prov on prov.code = kab.parent_code;
