-- The kelurahan help-desk console (service/console/): the family check by KK, the notice board's
-- masked NIKs, officers' accounts that can be disabled, and an audit trail that names the officer
-- or token, the route and a keyed hash of the subject, never the subject itself.

-- HMAC-SHA256 of the KK number under a key derived from DPT_NIK_KEY (service/importer/validation.py,
-- kk_hasher); the KK number itself is never stored. Null when dpt.csv left `nkk` empty.
alter table voter add column kk_hash bytea;
-- The NIK as KPU prints it on published lists: the six digits of the issuing kecamatan and ten
-- asterisks (187201**********). Nothing more of the NIK is kept.
alter table voter add column nik_masked text;
-- Indexes on the partitioned table: existing partitions get them now, a new dataset's partition
-- when it is attached. The family check reads a household; a notice reads one voter by its id.
create index voter_kk on voter (dataset_id, kk_hash) where kk_hash is not null;
create index voter_id on voter (dataset_id, id);

-- Accounts are disabled, never deleted: the audit trail keeps pointing at them.
alter table operator add column disabled_at timestamptz;
alter table operator add column password_changed_at timestamptz;

-- Who looked (a token or an officer), by which route, at what (a keyed hash, so the same subject
-- looked at twice can be found, never read). `query` held a help desk's typed name in clear; it
-- is dropped with what it held.
alter table audit_log add column operator text references operator (username);
alter table audit_log add column route text;
alter table audit_log add column subject_hash bytea;
alter table audit_log drop column query;
create index audit_log_at on audit_log (at);
create index audit_log_operator on audit_log (operator, at);
