-- Regions, datasets, TPS, voters, tokens and help-desk operators.
-- Voters are partitioned by dataset version: an import fills a fresh table, indexes it and
-- attaches it, so a new version appears whole and an old one is dropped in one statement.

create table region (
    code        text primary key,          -- dotted Kemendagri code: 18, 18.72, 18.72.01, 18.72.01.1001
    name        text not null,
    level       smallint not null check (level between 1 and 4),
    parent_code text references region (code)
);
create index region_parent on region (parent_code);

create table meta (
    key   text primary key,
    value text not null
);

create table dataset (
    id            integer generated always as identity primary key,
    version       text not null unique,
    election      text not null,
    polling_date  date,
    status        text not null default 'loading'
                  check (status in ('loading', 'ready', 'published', 'retired', 'failed')),
    rows_read     integer,
    rows_loaded   integer,
    rows_rejected integer,
    created_at    timestamptz not null default now(),
    published_at  timestamptz
);

-- Exactly one row: the version lookups answer from. Publishing is one UPDATE of it.
create table published_dataset (
    singleton    boolean primary key default true check (singleton),
    dataset_id   integer not null references dataset (id),
    published_at timestamptz not null default now()
);

create table tps (
    dataset_id     integer not null references dataset (id) on delete cascade,
    kelurahan_code text not null references region (code),
    number         smallint not null check (number > 0),
    address        text not null,
    lat            double precision,
    lon            double precision,
    kind           text not null check (kind in ('reguler', 'khusus')),
    primary key (dataset_id, kelurahan_code, number)
);

create table voter (
    dataset_id     integer not null,
    id             bigint not null,          -- random, opaque; never derived from the NIK
    source_row     integer not null,         -- row number in the imported dpt.csv
    nik_hash       bytea not null,           -- HMAC-SHA256(DPT_NIK_KEY, NIK); the NIK itself is never stored
    name           text not null,
    birth_place    text,
    birth_date     date not null,
    gender         char(1) not null,
    address        text,
    rt             text,
    rw             text,
    kelurahan_code text not null,
    tps_number     smallint not null,
    disability     text,
    note           text
) partition by list (dataset_id);

create table api_token (
    id         integer generated always as identity primary key,
    name       text not null,
    role       text not null check (role in ('helpdesk', 'sms', 'admin')),
    scope      text references region (code),
    token_hash bytea not null unique,        -- SHA-256 of the token; the token is shown once
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);

create table operator (
    username      text primary key,
    password_hash text not null,             -- scrypt, with its parameters and salt
    role          text not null default 'helpdesk' check (role in ('helpdesk', 'admin')),
    scope         text not null references region (code),
    created_at    timestamptz not null default now()
);

-- An empty staging table for one dataset's voters, shaped like a partition of voter.
create function create_voter_partition(p_dataset_id integer) returns text
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    execute format('drop table if exists %I', table_name);
    execute format(
        'create table %I (like voter including defaults, check (dataset_id = %s))',
        table_name, p_dataset_id);
    return table_name;
end $$;

-- Remove every row whose NIK already appeared earlier in the file; return their row numbers.
create function dedupe_voter_partition(p_dataset_id integer)
returns table (source_row integer, first_row integer)
language plpgsql as $$
begin
    return query execute format(
        'with duplicated as (
             select nik_hash, min(source_row) as first_row
             from %I group by nik_hash having count(*) > 1
         )
         delete from %I v using duplicated d
         where v.nik_hash = d.nik_hash and v.source_row <> d.first_row
         returning v.source_row, d.first_row',
        'voter_' || p_dataset_id, 'voter_' || p_dataset_id);
end $$;

-- Index a loaded staging table by NIK hash; false when a NIK repeats (dedupe, then call again).
create function index_voter_partition(p_dataset_id integer) returns boolean
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    -- Enough memory to sort a large kab/kota's hashes in one pass.
    set local maintenance_work_mem = '256MB';
    execute format('create unique index %I on %I (nik_hash)', table_name || '_nik', table_name);
    return true;
exception when unique_violation then
    return false;
end $$;

-- Attach an indexed staging table as the dataset's partition of voter.
create function attach_voter_partition(p_dataset_id integer) returns void
language plpgsql as $$
declare
    table_name text := 'voter_' || p_dataset_id;
begin
    execute format('analyze %I (nik_hash, kelurahan_code)', table_name);
    execute format('alter table voter attach partition %I for values in (%s)', table_name, p_dataset_id);
end $$;

create function drop_voter_partition(p_dataset_id integer) returns void
language plpgsql as $$
begin
    execute format('drop table if exists %I', 'voter_' || p_dataset_id);
end $$;
