-- The source of truth: who may log in, who talked to whom, every stored word, every call for help,
-- and every supervisor read. Redis only ever holds an index that can be rebuilt from these tables.

create table users (
    id            uuid primary key default gen_random_uuid(),
    username      text not null unique,
    display_name  text not null,
    password_hash text not null,
    role          text not null check (role in ('listener', 'supervisor', 'admin')),
    topics        text[] not null default '{}',
    languages     text[] not null default '{en}',
    max_chats     integer not null default 3 check (max_chats between 1 and 20),
    active        boolean not null default true,
    created_at    timestamptz not null default now()
);

create table seekers (
    id          uuid primary key default gen_random_uuid(),
    language    text not null default 'en',
    blocked_at  timestamptz,
    created_at  timestamptz not null default now()
);

create table conversations (
    id            uuid primary key default gen_random_uuid(),
    seeker_id     uuid not null references seekers (id) on delete cascade,
    topic         text not null,
    language      text not null,
    status        text not null default 'queued' check (status in ('queued', 'active', 'ended')),
    severity      text not null default 'none' check (severity in ('none', 'high', 'imminent')),
    listener_id   uuid references users (id),
    responder_id  uuid references users (id),
    last_seq      integer not null default 0,
    created_at    timestamptz not null default now(),
    queued_at     timestamptz not null default now(),
    assigned_at   timestamptz,
    ended_at      timestamptz,
    ended_by      text,
    end_reason    text
);
-- One open conversation per seeker, enforced where two processes cannot race past it.
create unique index conversations_one_open_per_seeker on conversations (seeker_id) where status <> 'ended';
create index conversations_open_by_listener on conversations (listener_id) where status = 'active';
create index conversations_queued on conversations (queued_at) where status = 'queued';

create table messages (
    id               uuid primary key default gen_random_uuid(),
    conversation_id  uuid not null references conversations (id) on delete cascade,
    seq              integer,
    after_seq        integer not null,
    client_id        text not null,
    sender           text not null check (sender in ('seeker', 'listener', 'supervisor', 'system')),
    sender_id        uuid,
    text             text not null,
    visibility       text not null default 'all' check (visibility in ('all', 'staff')),
    sent_at          timestamptz not null default now(),
    check ((visibility = 'all') = (seq is not null))
);
-- seq is the gap detector clients rely on; client_id is scoped to its sender (safe retries).
create unique index messages_seq on messages (conversation_id, seq) where seq is not null;
create unique index messages_client_id on messages (conversation_id, coalesce(sender_id, '00000000-0000-0000-0000-000000000000'::uuid), client_id);
create index messages_staff on messages (conversation_id, after_seq) where seq is null;

create table escalations (
    id               uuid primary key default gen_random_uuid(),
    conversation_id  uuid not null references conversations (id) on delete cascade,
    message_id       uuid references messages (id) on delete set null,
    source           text not null check (source in ('detector', 'listener')),
    category         text check (category in ('suicide', 'self_harm', 'harm_to_others', 'abuse', 'overdose')),
    severity         text not null check (severity in ('high', 'imminent')),
    evidence         jsonb not null default '[]',
    reason           text,
    status           text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
    raised_by        uuid references users (id),
    acknowledged_by  uuid references users (id),
    acknowledged_at  timestamptz,
    resolved_by      uuid references users (id),
    resolved_at      timestamptz,
    outcome          text check (outcome in ('false_alarm', 'de_escalated', 'emergency_services', 'referred', 'other')),
    note             text,
    last_alerted_at  timestamptz not null default now(),
    paged_at         timestamptz,
    created_at       timestamptz not null default now()
);
create index escalations_unresolved on escalations (created_at) where status <> 'resolved';
create index escalations_by_conversation on escalations (conversation_id);

create table audit_log (
    id               bigserial primary key,
    actor_id         uuid,
    actor_role       text not null,
    action           text not null,
    conversation_id  uuid,
    escalation_id    uuid,
    detail           jsonb not null default '{}',
    at               timestamptz not null default now()
);
create index audit_log_at on audit_log (at);
