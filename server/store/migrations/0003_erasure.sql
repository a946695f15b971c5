-- A seeker can erase their own conversation: the words go, the fact that a conversation happened
-- (and any escalation's outcome, without its evidence) stays for the supervisors' records.
alter table conversations add column erased_at timestamptz;
