-- Version 13: the audit log of administrative actions (role changes, deactivations, single
-- sign-on and retention settings, exports and imports, channel archive). See docs/audit-log.md.
-- Written in `if not exists` form, like 00010, so applying it again changes nothing.

create table if not exists audit_log (
  id bigserial primary key,
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- who did it; null for the server itself (a retention sweep, an offline import)
  actor_id uuid references users (id) on delete set null,
  -- a dotted name from the closed list in server/src/audit/record.ts
  action text not null,
  -- what it was done to: a member, a conversation, the workspace
  target_type text,
  target_id text,
  details jsonb not null default '{}',
  created_at timestamptz not null default clock_timestamp()
);
-- owners read it newest first
create index if not exists audit_log_workspace on audit_log (workspace_id, id desc);
