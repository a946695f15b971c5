-- Paging an escalation is claimed before it starts, so two processes never page the same one twice;
-- a claim left by a process that died goes stale and another process takes it over.
alter table escalations add column page_claimed_at timestamptz;
