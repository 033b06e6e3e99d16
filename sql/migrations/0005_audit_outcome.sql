-- A help-desk look that was refused (a region outside the scope, a role that may not search) is
-- audited like an allowed one; `outcome` says which: 'allowed', or the refusal's error code.
alter table audit_log add column outcome text not null default 'allowed';
