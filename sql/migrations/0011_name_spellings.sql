-- How many voters carry each word of a name as written (lower case, titles dropped, abbreviations
-- expanded: service/names/normalise.py name_tokens), beside the folded words' counts. A typed word
-- that the scoring finds only with a slip, but that voters carry exactly as typed, is read as
-- another person's name (AGUS PRASETYO is not AGUS PRASETYA); a spelling no one carries that only
-- folds onto a common word (HASANH, folded "hasan") is a slip. Datasets imported before this
-- migration have no rows here, and the search then falls back to the folded words' counts.
create table name_spelling_count (
    dataset_id integer not null references dataset (id) on delete cascade,
    spelling   text not null,
    voters     integer not null,
    primary key (dataset_id, spelling)
);
