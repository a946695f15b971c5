/** Types of the `/groups` namespace (docs/protocol.md, "Support groups"). Network text is rendered as text only. */
import type { CrisisResource } from "../shared/protocol";

export type SessionState = "upcoming" | "open" | "ended" | "cancelled";

export interface GroupSession {
  session_id: string;
  group_id: string;
  title: string;
  topic: string;
  language: string;
  description: string;
  guidelines: string;
  starts_at: string;
  ends_at: string;
  duration_min: number;
  drop_in: boolean;
  state: SessionState;
  capacity: number;
  seats_left: number;
  pinned: boolean;
  last_seq: number;
}

export interface GroupMember {
  member_id: string;
  alias: string;
  role: "member" | "facilitator";
  muted: boolean;
}

export interface GroupMessage {
  session_id: string;
  id: string;
  seq: number;
  client_id: string;
  member_id: string;
  alias: string;
  role: "member" | "facilitator";
  text: string | null;
  sent_at: string;
  deleted: boolean;
  erased: boolean;
  delete_reason?: string | null;
}

export interface Group {
  group_id: string;
  title: string;
  topic: string;
  language: string;
  description: string;
  guidelines: string;
  capacity: number;
  cancelled: boolean;
  facilitators: { display_name: string }[];
  sessions?: GroupSession[];
}

export interface RoomAck {
  session: GroupSession;
  member?: GroupMember;
  members: GroupMember[];
  messages: GroupMessage[];
}

export interface GroupRisk {
  session_id: string;
  member_id: string;
  alias: string;
  seq: number;
  category: string | null;
  severity: string;
  escalation_id: string;
}

export interface GroupReport {
  report_id: string;
  session_id: string;
  message_id: string;
  seq: number;
  alias: string;
  reported_by: string;
  reason: string | null;
}

export interface GroupCrisis {
  session_id: string;
  resources: CrisisResource[];
}
