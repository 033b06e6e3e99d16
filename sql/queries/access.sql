-- name: token-by-hash^
select id, role, scope from api_token where token_hash = :token_hash and revoked_at is null;

-- name: insert-audit!
insert into audit_log (token_id, action, region, query, results)
values (:token_id, :action, :region, :query, :results);
