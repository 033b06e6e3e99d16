-- name: token-by-hash^
select id, role, scope from api_token where token_hash = :token_hash and revoked_at is null;

-- name: insert-audit!
insert into audit_log (token_id, action, region, query, results)
values (:token_id, :action, :region, :query, :results);

-- name: insert-token!
-- `dpt token add`: only the token's SHA-256 is stored; the token itself is shown once.
insert into api_token (name, role, scope, token_hash) values (:name, :role, :scope, :token_hash);

-- name: insert-operator!
insert into operator (username, password_hash, role, scope) values (:username, :password_hash, :role, :scope);
