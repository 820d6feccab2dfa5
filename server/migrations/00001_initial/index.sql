-- OComms schema, version 1: accounts, workspaces, conversations, messages, threads
-- and the event streams that carry every change to clients (see docs/events.md).
-- Runs on PostgreSQL 15 and later.

create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  email_normalized text not null unique,
  handle text not null unique,
  name text not null,
  password_hash text,
  created_at timestamptz not null default now(),
  -- head and retention floor of this user's event stream
  last_seq bigint not null default 0,
  first_retained_seq bigint not null default 1
);

create table sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  -- SHA-256 of the bearer token; the token itself is never stored
  token_hash bytea not null unique,
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  user_agent text,
  ip text
);
create index sessions_user on sessions (user_id);

create table magic_links (
  token_hash bytea primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index magic_links_user on magic_links (user_id);

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique,
  name text not null,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  last_seq bigint not null default 0,
  first_retained_seq bigint not null default 1
);

create table workspace_members (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'member')),
  state text not null default 'active' check (state in ('active', 'left', 'deactivated')),
  joined_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user on workspace_members (user_id) where state = 'active';

create table invites (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  code_hash bytea not null unique,
  role text not null check (role in ('owner', 'admin', 'member')),
  email_normalized text,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  max_uses integer,
  uses integer not null default 0
);

create table conversations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  kind text not null check (kind in ('public', 'private', 'dm', 'group_dm')),
  name text,
  topic text not null default '',
  description text not null default '',
  -- DMs: the sorted member ids, so opening an existing DM finds it
  dm_key text,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  archived_at timestamptz,
  last_seq bigint not null default 0,
  first_retained_seq bigint not null default 1,
  check ((kind in ('public', 'private')) = (name is not null)),
  check ((kind in ('dm', 'group_dm')) = (dm_key is not null))
);
create unique index conversations_name on conversations (workspace_id, name) where name is not null;
create unique index conversations_dm on conversations (workspace_id, dm_key) where dm_key is not null;
create index conversations_public on conversations (workspace_id) where kind = 'public';

create table conversation_members (
  conversation_id uuid not null references conversations (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  joined_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);
create index conversation_members_user on conversation_members (user_id);

create table messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references conversations (id) on delete cascade,
  -- the conversation seq of the event that created this message
  seq bigint not null,
  author_id uuid not null references users (id),
  client_id text,
  thread_root_id uuid references messages (id),
  also_in_channel boolean not null default false,
  text text not null,
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  deleted_at timestamptz,
  reply_count integer not null default 0,
  last_reply_at timestamptz,
  reply_participants uuid[] not null default '{}',
  unique (conversation_id, seq),
  -- a retried send finds the original instead of storing a copy
  unique (author_id, client_id)
);
create index messages_thread on messages (thread_root_id, seq) where thread_root_id is not null;

create table thread_follows (
  root_id uuid not null references messages (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  following boolean not null,
  updated_at timestamptz not null default now(),
  primary key (root_id, user_id)
);
create index thread_follows_user on thread_follows (user_id) where following;

-- Every change, in its stream, numbered gap-free: the seq is taken from the
-- stream's owner row (conversations / users / workspaces .last_seq) inside the
-- transaction that makes the change, so commit order is seq order.
create table events (
  stream text not null check (stream in ('conversation', 'user', 'workspace')),
  stream_id uuid not null,
  seq bigint not null,
  type text not null,
  -- the conversation and workspace the event concerns, whatever its stream
  conversation_id uuid,
  workspace_id uuid,
  data jsonb not null,
  created_at timestamptz not null default now(),
  primary key (stream, stream_id, seq)
);
