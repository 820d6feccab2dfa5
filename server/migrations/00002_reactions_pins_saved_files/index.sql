-- Version 2: reactions, pins, saved items (personal bookmarks) and files.

create table reactions (
  message_id uuid not null references messages (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  -- the emoji character itself (shortcodes are resolved before storing)
  emoji text not null,
  created_at timestamptz not null default now(),
  primary key (message_id, emoji, user_id)
);

create table pins (
  message_id uuid primary key references messages (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  pinned_by uuid not null references users (id),
  pinned_at timestamptz not null default now()
);
create index pins_conversation on pins (conversation_id, pinned_at desc);

create table saved_items (
  user_id uuid not null references users (id) on delete cascade,
  message_id uuid not null references messages (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (user_id, message_id)
);
create index saved_items_user on saved_items (user_id, created_at desc);

-- Content-addressed: the bytes live under <data dir>/files/<sha256[0:2]>/<sha256>;
-- several rows may share one blob.
create table files (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  -- null until the file is attached to a message
  message_id uuid references messages (id) on delete cascade,
  uploader_id uuid not null references users (id),
  name text not null,
  size bigint not null,
  mime_type text not null,
  sha256 text not null,
  -- the text of small text files, for search
  text_content text,
  created_at timestamptz not null default now()
);
create index files_message on files (message_id) where message_id is not null;
create index files_conversation on files (conversation_id, created_at desc);
create index files_sha256 on files (sha256);
