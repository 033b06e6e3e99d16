-- name: token-by-hash^
select id, role, scope from api_token where token_hash = :token_hash and revoked_at is null;

-- name: insert-audit!
-- One help-desk look, before its answer is sent: a token or an officer, the kind of look, the
-- route, the region, a keyed hash of the subject (never the subject), results and outcome.
insert into audit_log (token_id, operator, action, route, region, subject_hash, results, outcome)
values (:token_id, :operator, :action, :route, :region, :subject_hash, :results, :outcome);

-- name: audit-trail
-- The audit trail, newest first, filtered by officer, kind and time (nulls: no filter).
select a.id, a.at, a.operator, t.name as token_name, a.action, a.route, a.region,
       encode(substr(a.subject_hash, 1, 6), 'hex') as subject, a.results, a.outcome
from audit_log a left join api_token t on t.id = a.token_id
where (:operator::text is null or a.operator = :operator)
  and (:action::text is null or a.action = :action)
  and (:since::timestamptz is null or a.at >= :since)
  and (:until::timestamptz is null or a.at < :until)
order by a.at desc, a.id desc
limit :max_rows;

-- name: insert-token!
-- `dpt token add`: only the token's SHA-256 is stored; the token itself is shown once.
insert into api_token (name, role, scope, token_hash) values (:name, :role, :scope, :token_hash);

-- name: create-token$
-- A token made in the console by an admin: its id.
insert into api_token (name, role, scope, token_hash) values (:token_name, :role, :scope, :token_hash) returning id;

-- name: insert-operator!
insert into operator (username, password_hash, role, scope) values (:username, :password_hash, :role, :scope);

-- name: operator-by-username^
-- An officer's account as login and every console request check it (disabled ones included).
select username, password_hash, role, scope, disabled_at from operator where username = :username;

-- name: list-operators
select username, role, scope, created_at, disabled_at, password_changed_at from operator order by username;

-- name: set-operator-password$
-- A new password hash (`dpt operator passwd`, or a scrypt hash upgraded at login); the username,
-- none when there is no such account.
update operator set password_hash = :password_hash, password_changed_at = now()
where username = :username returning username;

-- name: upgrade-operator-password!
-- A legacy hash replaced by Argon2id after a successful login: only if it is still the one that
-- was checked (a concurrent `dpt operator passwd` wins).
update operator set password_hash = :password_hash
where username = :username and password_hash = :old_hash;

-- name: disable-operator$
-- The disabled account's username; none when there is no such account or it was disabled already.
update operator set disabled_at = now() where username = :username and disabled_at is null returning username;

-- name: list-tokens
-- `dpt token list`: every token but never its secret (only its hash is stored anyway).
select id, name, role, scope, created_at, revoked_at from api_token order by id;

-- name: revoke-token$
-- The revoked token's id; none when there is no such token or it was revoked already.
update api_token set revoked_at = now() where id = :token_id and revoked_at is null returning id;

-- name: tokens-revoked-at$
-- When a token was last revoked: each worker polls it and forgets the tokens it remembered.
select max(revoked_at) from api_token;
