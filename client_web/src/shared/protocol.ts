/** Types of the Peerline wire contract (see PROTOCOL.md). Payloads from the network are untrusted:
 * every string here is rendered as text, never as markup. */

export type Sender = "seeker" | "listener" | "supervisor" | "system";
export type Visibility = "all" | "staff";
export type Severity = "none" | "high" | "imminent";
export type ConversationStatus = "queued" | "active" | "ended";

export interface Message {
  conversation_id: string;
  id: string;
  seq: number | null;
  client_id: string | null;
  sender: Sender;
  text: string;
  sent_at: string;
  visibility: Visibility;
  /** The staff sender's display name when the message was written (null for the seeker and system lines). */
  sender_name?: string | null;
}

export interface Conversation {
  conversation_id: string;
  status: ConversationStatus;
  topic: string;
  language: string;
  severity: Severity;
  listener: { display_name: string } | null;
  /** Who answers the seeker: their listener, a supervisor who took the conversation over, or nobody yet. */
  responder_role?: "listener" | "supervisor" | null;
  created_at: string;
  last_seq: number;
}

export interface ProtocolError {
  code: string;
  message: string;
}

export type Ack<T = object> = ({ ok: true } & T) | { ok: false; error: ProtocolError; conversation_id?: string | null };

export interface Topic {
  id: string;
  label: string;
}

export interface Language {
  id: string;
  label: string;
}

export interface CrisisResource {
  name: string;
  how: string;
  available: string;
  /** Only for the bundled contacts: tel:/sms: links, each with the words it dials or texts. Never taken
   * from the network. */
  links?: readonly { text: string; href: string }[];
}

export interface QueueEvent {
  conversation_id: string;
  position: number;
  estimated_wait_s: number | null;
  /** Whether a listener who speaks the conversation's language is on duty (absent: not known). */
  language_available?: boolean;
}

export interface MatchedEvent {
  conversation_id: string;
  listener: { display_name: string } | null;
}

export interface TypingEvent {
  conversation_id: string;
  sender: Sender;
  typing: boolean;
}

export interface ChatEndedEvent {
  conversation_id: string;
  by: Sender;
  reason: string | null;
}

export interface CrisisResourcesEvent {
  conversation_id: string;
  resources: CrisisResource[];
}

export interface WaitingEntry {
  conversation_id: string;
  topic: string;
  language: string;
  waited_s: number;
  severity: Severity;
}

export interface CrisisGuide {
  title: string;
  steps: string[];
}

/** ``assigned`` (pushed), the ``take`` ack and a listener's ``resume`` ack: the chat, its messages, its open crises. */
export interface Assignment {
  conversation: Conversation;
  messages: Message[];
  risk?: RiskEvent[];
}

export interface RiskEvent {
  conversation_id: string;
  category: string | null;
  severity: Severity;
  escalation_id: string;
  message_id?: string | null;
  evidence?: string[];
  resources_shown?: boolean;
  status?: EscalationStatus;
  guide?: CrisisGuide | null;
}

export interface EscalationStatusEvent {
  conversation_id: string;
  escalation_id: string;
  status: EscalationStatus;
  acknowledged_by: { display_name: string } | null;
}

export interface ReleasedEvent {
  conversation_id: string;
  by: "supervisor" | "system";
  reason: string | null;
}

export type EscalationStatus = "open" | "acknowledged" | "resolved";

/** Where a support group's escalation happened (docs/protocol.md, "Safety in a group"). */
export interface GroupPlace {
  group_id: string;
  session_id: string;
  member_id: string;
  title: string;
  alias: string;
  message_id: string | null;
}

export interface Escalation {
  escalation_id: string;
  /** Empty (null on the wire) for a support group's escalation: see ``group``. */
  conversation_id: string;
  group?: GroupPlace | null;
  source: "detector" | "listener";
  category: string | null;
  severity: Severity;
  evidence: unknown;
  status: EscalationStatus;
  created_at: string;
  listener: { display_name: string } | null;
  reason?: string | null;
  acknowledged_by?: { display_name: string } | null;
  taken_over_by?: { display_name: string } | null;
  updated_at?: string | null;
  topic?: string | null;
  language?: string | null;
  outcome?: string | null;
  note?: string | null;
}

/** The risk model's probability is between the watch and alert thresholds: a quiet hint, for the listener only. */
export interface RiskHintEvent {
  conversation_id: string;
  seq: number | null;
  category: string | null;
  probability: number | null;
  message: string;
}

export interface NoticeEvent {
  conversation_id: string;
  code: string;
  message: string;
  paging?: boolean;
}

export interface ListenerLoad {
  user_id: string;
  display_name: string;
  status: string;
  load: number;
  max_chats: number;
}

export interface Overview {
  queue_length: number;
  longest_wait_s: number | null;
  active_conversations: number;
  listeners: ListenerLoad[];
  open_escalations: number;
}

export const OUTCOMES = ["false_alarm", "de_escalated", "emergency_services", "referred", "other"] as const;
export type Outcome = (typeof OUTCOMES)[number];
