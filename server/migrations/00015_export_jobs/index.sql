-- Version 15: workspace exports run by the server for an owner (docs/export-format.md, "Through
-- the API"). The archive lives under <data dir>/exports/<id>.tar.gz.
create table if not exists export_jobs (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  requested_by uuid references users (id) on delete set null,
  state text not null default 'running' check (state in ('running', 'ready', 'failed')),
  -- {"kind": "messages", "done": 12000}
  progress jsonb not null default '{}',
  -- records per kind, once ready
  counts jsonb,
  size bigint,
  error text,
  created_at timestamptz not null default now(),
  -- a running job's process touches this as it goes; one long silent is a job that died with it
  heartbeat_at timestamptz not null default now(),
  finished_at timestamptz
);
create index if not exists export_jobs_workspace on export_jobs (workspace_id, created_at desc);
