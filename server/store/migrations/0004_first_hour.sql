-- Each message keeps the display name its sender had when it was written: after a take-over the first
-- listener's words stay theirs, and the supervisor's carry the supervisor's name.
alter table messages add column sender_name text;

-- A later message about an open crisis adds its words to the escalation (and may raise its severity).
alter table escalations add column updated_at timestamptz;
