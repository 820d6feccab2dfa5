-- Version 3: attention. Mentions, notification preferences and keywords, presence mode,
-- custom status and do-not-disturb, read markers, drafts. See docs/attention.md.

-- One row per person a message mentions: by handle, through @channel / @here (one row per
-- member reached), or through one of their keywords. Rewritten when the message is edited.
create table mentions (
  message_id uuid not null references messages (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  -- copies of the message's place, so counts after a read marker need no join
  seq bigint not null,
  thread_root_id uuid,
  in_channel boolean not null,
  kind text not null check (kind in ('user', 'channel', 'here', 'keyword')),
  keyword text,
  created_at timestamptz not null default now(),
  primary key (message_id, user_id)
);
-- "my mentions, newest first" and "my mentions in this conversation after my marker"
create index mentions_user_time on mentions (user_id, created_at desc);
create index mentions_user_conversation on mentions (user_id, conversation_id, seq);
create index mentions_user_thread on mentions (user_id, thread_root_id, seq) where thread_root_id is not null;

-- Per-person settings that every device must agree on.
create table attention_settings (
  user_id uuid primary key references users (id) on delete cascade,
  presence_mode text not null default 'auto' check (presence_mode in ('auto', 'away', 'busy')),
  status_text text,
  status_emoji text,
  status_expires_at timestamptz,
  dnd_snooze_until timestamptz,
  -- the canonical SPEC of allowed hours (shared/src/attention/dnd-schedule.ts), null for none
  dnd_schedule text,
  -- "DND off" during scheduled hours: the schedule is suspended until then
  dnd_schedule_off_until timestamptz,
  time_zone text not null default 'UTC',
  keywords text[] not null default '{}',
  updated_at timestamptz not null default now()
);
-- the status sweeper looks for expired statuses
create index attention_settings_status_expiry on attention_settings (status_expires_at) where status_expires_at is not null;

-- Per-person, per-conversation notification preference; no row = the default.
create table notify_prefs (
  user_id uuid not null references users (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  level text check (level in ('all', 'mentions', 'none')),
  muted boolean not null default false,
  ignore_channel_mentions boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (user_id, conversation_id)
);

-- Who may use @channel / @here in channels of more than min_members members.
alter table workspaces
  add column broadcast_mentions text not null default 'everyone' check (broadcast_mentions in ('everyone', 'admins')),
  add column broadcast_mentions_min_members integer not null default 6 check (broadcast_mentions_min_members >= 0);

-- Read markers: the last seq read, per conversation and per thread. Without a row, what
-- came after the member joined (conversation) or started following (thread) is unread.
create table read_markers (
  user_id uuid not null references users (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  last_read_seq bigint not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, conversation_id)
);
create table thread_read_markers (
  user_id uuid not null references users (id) on delete cascade,
  root_id uuid not null references messages (id) on delete cascade,
  last_read_seq bigint not null,
  updated_at timestamptz not null default now(),
  primary key (user_id, root_id)
);

-- Unread counts walk only the messages after a marker: index what they filter on.
create index messages_in_channel_seq on messages (conversation_id, seq) include (author_id)
  where deleted_at is null and (thread_root_id is null or also_in_channel);
create index messages_thread_live on messages (thread_root_id, seq) include (author_id)
  where thread_root_id is not null and deleted_at is null;

create table drafts (
  user_id uuid not null references users (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  thread_root_id uuid references messages (id) on delete cascade,
  text text not null,
  updated_at timestamptz not null default now(),
  -- one draft per conversation (thread_root_id null) and one per thread
  unique nulls not distinct (user_id, conversation_id, thread_root_id)
);
create index drafts_user on drafts (user_id, updated_at desc);
