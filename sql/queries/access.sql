-- name: token-by-hash^
select id, role, scope from api_token where token_hash = :token_hash and revoked_at is null;

-- name: insert-audit!
insert into audit_log (token_id, action, region, query, results, outcome)
values (:token_id, :action, :region, :query, :results, :outcome);

-- name: insert-token!
-- `dpt token add`: only the token's SHA-256 is stored; the token itself is shown once.
insert into api_token (name, role, scope, token_hash) values (:name, :role, :scope, :token_hash);

-- name: insert-operator!
insert into operator (username, password_hash, role, scope) values (:username, :password_hash, :role, :scope);

-- name: list-tokens
-- `dpt token list`: every token but never its secret (only its hash is stored anyway).
select id, name, role, scope, created_at, revoked_at from api_token order by id;

-- name: revoke-token$
-- The revoked token's id; none when there is no such token or it was revoked already.
update api_token set revoked_at = now() where id = :token_id and revoked_at is null returning id;

-- name: tokens-revoked-at$
-- When a token was last revoked: each worker polls it and forgets the tokens it remembered.
select max(revoked_at) from api_token;
