-- Version 14: message and file retention per workspace (docs/retention.md). Null keeps everything.
alter table workspaces
  add column if not exists message_retention_days integer check (message_retention_days between 1 and 36500),
  add column if not exists file_retention_days integer check (file_retention_days between 1 and 36500);
-- The sweep walks the oldest live messages through messages_recent (created_at, id) where deleted_at is null.
