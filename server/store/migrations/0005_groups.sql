-- Peer-led support groups (issue 14): a group, its facilitators, its sessions, who sat in each one
-- under which alias, every word said there, and what members reported. Seats are held in Redis
-- (matching/seats.py); these rows are what the seat index is rebuilt from.

alter table users add column facilitator boolean not null default false;

create table groups (
    id            uuid primary key default gen_random_uuid(),
    topic         text not null,
    language      text not null,
    title         text not null,
    description   text not null default '',
    guidelines    text not null default '',
    capacity      integer not null default 12 check (capacity between 2 and 50),
    created_by    uuid references users (id) on delete set null,
    created_at    timestamptz not null default now(),
    cancelled_at  timestamptz
);

create table group_facilitators (
    group_id  uuid not null references groups (id) on delete cascade,
    user_id   uuid not null references users (id) on delete cascade,
    primary key (group_id, user_id)
);

create table group_sessions (
    id            uuid primary key default gen_random_uuid(),
    group_id      uuid not null references groups (id) on delete cascade,
    starts_at     timestamptz not null,
    duration_min  integer not null check (duration_min between 5 and 600),
    drop_in       boolean not null default false,
    status        text not null default 'scheduled' check (status in ('scheduled', 'ended', 'cancelled')),
    pinned        boolean not null default false,
    last_seq      integer not null default 0,
    created_at    timestamptz not null default now(),
    ended_at      timestamptz,
    ended_by      text
);
create index group_sessions_by_start on group_sessions (starts_at) where status = 'scheduled';

-- A seeker sits in a session under an alias; staff who facilitate sit there under their display name.
create table group_members (
    id               uuid primary key default gen_random_uuid(),
    session_id       uuid not null references group_sessions (id) on delete cascade,
    seeker_id        uuid references seekers (id) on delete cascade,
    user_id          uuid references users (id) on delete cascade,
    alias            text not null,
    role             text not null check (role in ('member', 'facilitator')),
    status           text not null default 'joined' check (status in ('joined', 'left', 'removed')),
    muted            boolean not null default false,
    joined_after_seq integer not null default 0,
    joined_at        timestamptz not null default now(),
    left_at          timestamptz,
    check ((seeker_id is null) <> (user_id is null))
);
create unique index group_members_seeker on group_members (session_id, seeker_id) where seeker_id is not null;
create unique index group_members_user on group_members (session_id, user_id) where user_id is not null;
-- aliases are unique among the session's members, however they are capitalised
create unique index group_members_alias on group_members (session_id, lower(alias)) where role = 'member';

create table group_messages (
    id             uuid primary key default gen_random_uuid(),
    session_id     uuid not null references group_sessions (id) on delete cascade,
    seq            integer not null,
    member_id      uuid not null references group_members (id) on delete cascade,
    client_id      text not null,
    text           text not null,
    sent_at        timestamptz not null default now(),
    deleted_at     timestamptz,
    deleted_by     uuid references users (id) on delete set null,
    delete_reason  text,
    erased_at      timestamptz
);
create unique index group_messages_seq on group_messages (session_id, seq);
create unique index group_messages_client_id on group_messages (member_id, client_id);
create index group_messages_by_member on group_messages (member_id, seq);

create table group_reports (
    id           uuid primary key default gen_random_uuid(),
    session_id   uuid not null references group_sessions (id) on delete cascade,
    message_id   uuid references group_messages (id) on delete set null,
    reported_by  uuid references group_members (id) on delete set null,
    reason       text,
    created_at   timestamptz not null default now()
);

-- An escalation is about a conversation or about a member of a group session.
alter table escalations alter column conversation_id drop not null;
alter table escalations add column group_session_id uuid references group_sessions (id) on delete cascade;
alter table escalations add column group_member_id uuid references group_members (id) on delete set null;
alter table escalations add column group_message_id uuid references group_messages (id) on delete set null;
alter table escalations add constraint escalations_about_something
    check (conversation_id is not null or group_session_id is not null);
create index escalations_by_group_member on escalations (group_member_id) where group_member_id is not null;
