-- Version 5: event retention. The pruning job (server/src/events/retention.ts) looks for events
-- older than the retention period; this index keeps that a range scan instead of a full scan.
create index if not exists events_created_at on events (created_at);
