-- Version 11: words inside web addresses are searchable. PostgreSQL's parser keeps an address
-- whole ("docs.example.com/deploy-guide"), so "deploy" did not find it; the message vector now
-- adds the words of every address (split at its punctuation) after the text's own.
-- server/src/search/text-config.ts holds the same expression. It keeps the text search
-- configuration in use (search_settings), and may be applied again: it rebuilds the column.
do $$
declare
  cfg text := quote_literal((select text_search_config from search_settings)) || '::regconfig';
begin
  alter table messages drop column if exists search_vector;
  execute format(
    'alter table messages add column search_vector tsvector generated always as ('
      || 'to_tsvector(%1$s, text) || to_tsvector(%1$s, regexp_replace(regexp_replace(text, '
      || '''((https?://|www\.)[^[:space:]<>]+)|[^hw]+|[hw]'', '' \1 '', ''gi''), ''[^[:alnum:]]+'', '' '', ''g''))'
      || ') stored',
    cfg);
  create index messages_search on messages using gin (search_vector) with (fastupdate = off);
end $$;
analyze messages;
