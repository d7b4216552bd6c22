// Table shapes as Kysely sees them. Written by hand next to the migrations; never generated from the catalogue.

import type { Generated } from 'kysely';

export interface PortalTable {
  id: number;
  name: string;
  member_id: string;
  /** Global line counter used for automatic line names; never decremented (reference-behaviour.md §2.1). */
  line_counter: number;
  created_at: string;
}

export interface DepartmentTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
}

export interface UserTable {
  id: Generated<number>;
  name: string;
  last_name: string;
  work_position: string;
  avatar: string;
  active: number;
  is_admin: number;
  is_extranet: number;
  is_online: number;
  created_at: string;
}

export interface UserDepartmentTable {
  user_id: number;
  department_id: number;
}

export interface WebhookTable {
  id: Generated<number>;
  user_id: number;
  /** sha256 of the secret code, hex; the code itself is never stored. */
  code_hash: string;
  scopes: string;
  strict: number;
  active: number;
  expires_at: string | null;
  title: string;
  created_at: string;
  last_used_at: string | null;
}

export interface LineTable {
  id: Generated<number>;
  /**
   * The normalised configuration document (JSON text): every writable catalogue field. Read-only fields are not
   * in it (ID, the dates and MODIFY_USER_ID are columns; the rest are never stored); LINE_NAME and ACTIVE are
   * copied into columns too.
   */
  doc: string;
  line_name: string;
  active: string;
  modify_user_id: number;
  created_at: string;
  modified_at: string;
}

export interface LineConfigQueueTable {
  line_id: number;
  sort: number;
  entity_type: string;
  entity_id: number;
}

export interface LineQueueTable {
  id: Generated<number>;
  line_id: number;
  sort: number;
  user_id: number;
  department_id: number;
  user_name: string | null;
  user_work_position: string | null;
  user_avatar: string | null;
  user_avatar_id: number;
}

export interface OAuthAppTable {
  id: Generated<number>;
  /** Public identifier, e.g. local.5f3a9c0e1b2d47.83920174. */
  client_id: string;
  /** sha256 of the client secret, hex; the secret itself is never stored. */
  client_secret_hash: string;
  name: string;
  /** Comma-separated scopes the application may ask for. */
  scopes: string;
  redirect_uri: string;
  strict: number;
  created_at: string;
  /** Sent in every event's auth[application_token]; kept as is because it is sent (docs/decisions.md). */
  application_token: string;
}

export interface OAuthTokenTable {
  id: Generated<number>;
  app_id: number;
  user_id: number;
  /** sha256 hashes, hex, of the access and refresh tokens. */
  access_hash: string;
  refresh_hash: string;
  scopes: string;
  /** ISO-8601 UTC instants. */
  access_expires_at: string;
  refresh_expires_at: string;
  revoked: number;
  /** Set when the refresh token was exchanged: it never works again. */
  rotated_at: string | null;
  created_at: string;
  /** Minted for an event: the event session's TTL a call made with it runs with (the loop guard); else null. */
  event_session: number | null;
}

export interface OAuthCodeTable {
  id: Generated<number>;
  code_hash: string;
  app_id: number;
  user_id: number;
  scopes: string;
  expires_at: string;
  used: number;
  created_at: string;
}

/** A request-rate bucket shared by the servers on one database (issue 7): level in thousandths of a request. */
export interface RateBucketTable {
  bucket_key: string;
  level: number;
  at_ms: number;
}

/** One minute of a credential's operating time on one method, shared by the servers on one database. */
export interface OperatingBucketTable {
  bucket_key: string;
  minute: number;
  first_ms: number;
  seconds: number;
}

export interface MigrationTable {
  name: string;
  applied_at: string;
}

/** A user's permission level per entity and action (absent: the default level; admins need no row). */
export interface UserPermissionTable {
  user_id: number;
  entity: string;
  action: string;
  level: string;
}

/** A named set of LINES levels ('none' | 'self' | 'department' | 'any'); names unique in any letter case. */
export interface RoleTable {
  id: Generated<number>;
  name: string;
  lines_view: string;
  lines_modify: string;
}

export interface UserRoleTable {
  user_id: number;
  role_id: number;
}

/** A custom connector registered by an OAuth application (imconnector.register). */
export interface ConnectorTable {
  id: Generated<number>;
  app_id: number;
  /** The connector ID, lower-cased; unique across applications and never a built-in connector's code. */
  code: string;
  name: string;
  /** JSON text: ICON, ICON_DISABLED, PLACEMENT_HANDLER, COMMENT and the behaviour flags. */
  doc: string;
  created_at: string;
  modified_at: string;
}

/** A connector on a line (imconnector.activate, imconnector.connector.data.set). */
export interface ConnectorLineTable {
  connector_id: number;
  line_id: number;
  active: number;
  error: number;
  /** JSON text of DATA (upper-case keys), or null before the first data.set. */
  data: string | null;
  created_at: string;
  modified_at: string;
}

/** One change to a line (issue 9): who, how authenticated, when, and the field-level diff as JSON. */
export interface LineRevisionTable {
  id: Generated<number>;
  line_id: number;
  /** add | update | delete */
  action: string;
  user_id: number;
  /** webhook | app | cli */
  auth_kind: string;
  /** webhook:<id>, app:<OAuth client_id>, or cli:<os user>. */
  credential_id: string;
  /** JSON array of {field, before?, after?}; a missing side means the line did not exist. */
  changes: string;
  created_at: string;
}

/** A connector user (imconnector.send.messages `user`), keyed by connector and external id. */
export interface CustomerTable {
  id: Generated<number>;
  connector_id: number;
  external_id: string;
  name: string;
  last_name: string;
  title: string;
  email: string;
  phone: string;
  url: string;
  /** 'M' | 'F' | '' */
  gender: string;
  /** The picture URL as sent; nothing is downloaded. */
  avatar: string;
  created_at: string;
  modified_at: string;
}

/** The line's chat with one customer: one per user code, reused across sessions. */
export interface ChatTable {
  id: Generated<number>;
  /** `<connector>|<line>|<chat.id>|<customer id>` */
  user_code: string;
  connector_id: number;
  line_id: number;
  external_chat_id: string;
  customer_id: number;
  name: string;
  description: string;
  created_at: string;
  modified_at: string;
}

/** A dialog session (runtime-sessions.md §0); at most one with closed = 0 per user code. */
export interface SessionTable {
  id: Generated<number>;
  chat_id: number;
  line_id: number;
  user_code: string;
  customer_id: number;
  status: number;
  operator_id: number;
  closed: number;
  created_at: string;
  modified_at: string;
  closed_at: string | null;
  /** 'input': a customer started it; 'output': an operator did. */
  mode: Generated<string>;
  /** 1 while nobody has taken it (the reference's WAIT_ANSWER). */
  wait_answer: Generated<number>;
  /** 1 in closing mode (close text or vote request sent). */
  wait_action: Generated<number>;
  /** 1 when pinned to its operator. */
  pause: Generated<number>;
  spam: Generated<number>;
  /** 1 when the last distribution found nobody. */
  undistributed: Generated<number>;
  /** JSON list of the operator ids offered it in this cycle (strictly, evenly, all). */
  queue_history: Generated<string>;
  parent_id: Generated<number>;
  date_operator: string | null;
  date_operator_answer: string | null;
  date_first_answer: string | null;
  date_last_message: string | null;
  message_count: Generated<number>;
  send_no_answer_text: Generated<number>;
  /** '' while open; operator | auto | spam | client | replyLimit once closed (v2 closeReason). */
  close_reason: Generated<string>;
  /** 0 when a customer opened it off-hours (or on an inactive line): the reference's WORKTIME=N. */
  worktime: Generated<number>;
  /** 1 once the off-hours text went to the customer in this session. */
  send_no_work_time_text: Generated<number>;
  /** 1 while the vote request waits for the customer's answer (§2.4). */
  wait_vote: Generated<number>;
  /** The customer's vote: 5 like, 1 dislike, 0 none. */
  vote: Generated<number>;
  /** The supervisor's rating (imopenlines.session.head.vote), 0 none. */
  vote_head: Generated<number>;
  comment_head: string | null;
  /** Until when a vote is accepted (VOTE_TIME_LIMIT); null: no limit. */
  date_close_vote: string | null;
}

/** A user who joined a session's chat (session.join): may act there while the session is open. */
export interface SessionMemberTable {
  session_id: number;
  user_id: number;
}

export interface SessionOfferTable {
  session_id: number;
  user_id: number;
}

/** A session timer: one per (session, kind), claimed with a lease when due. */
export interface SessionAlarmTable {
  session_id: number;
  kind: string;
  due_at_ms: number;
  claimed_by: string | null;
  claimed_until_ms: number | null;
}

/** A line's timer (the deletion of a temporary line). */
export interface LineAlarmTable {
  line_id: number;
  kind: string;
  due_at_ms: number;
}

/** When an operator was last offered a session of the line (evenly). */
export interface OperatorLineActivityTable {
  line_id: number;
  user_id: number;
  last_offered_ms: number;
}

/** A message in a line's chat. */
export interface MessageTable {
  id: Generated<number>;
  chat_id: number;
  session_id: number | null;
  /** 'customer' (author_id: customers.id) | 'operator' | 'system' (author_id: users.id, 0 for system) */
  author_kind: string;
  author_id: number;
  text: string;
  /** JSON text: [{url, name}] as sent. */
  files: string;
  /** JSON text: the connector's external ids (CONNECTOR_MID), a list. */
  connector_mid: string;
  sending: number;
  delivered: number;
  deleted: number;
  /** 1 once an operator edited it (im.message.update: params IS_EDITED). */
  edited: number;
  created_at: string;
  modified_at: string;
}

export interface Database {
  portal: PortalTable;
  departments: DepartmentTable;
  users: UserTable;
  user_departments: UserDepartmentTable;
  webhooks: WebhookTable;
  lines: LineTable;
  line_config_queue: LineConfigQueueTable;
  line_queue: LineQueueTable;
  user_permissions: UserPermissionTable;
  roles: RoleTable;
  user_roles: UserRoleTable;
  oauth_apps: OAuthAppTable;
  oauth_tokens: OAuthTokenTable;
  oauth_codes: OAuthCodeTable;
  connectors: ConnectorTable;
  connector_lines: ConnectorLineTable;
  line_revisions: LineRevisionTable;
  customers: CustomerTable;
  chats: ChatTable;
  sessions: SessionTable;
  session_offers: SessionOfferTable;
  session_alarms: SessionAlarmTable;
  line_alarms: LineAlarmTable;
  operator_line_activity: OperatorLineActivityTable;
  session_members: SessionMemberTable;
  messages: MessageTable;
  rate_buckets: RateBucketTable;
  operating_buckets: OperatingBucketTable;
  openlines_migrations: MigrationTable;
  event_bindings: EventBindingTable;
  event_outbox: EventOutboxTable;
  event_offline: EventOfflineTable;
  operator_presence: OperatorPresenceTable;
  session_kpi_messages: SessionKpiMessageTable;
  notifications: NotificationTable;
  openlines_model_version: ModelVersionTable;
}

/** The read model's version vector (PostgreSQL; store/model-changes.ts): a counter per slot. */
export interface ModelVersionTable {
  slot: number;
  n: number;
}

/** A handler an application bound to an event (event.bind); event upper-case, user_id 0 = the acting user. */
export interface EventBindingTable {
  id: Generated<number>;
  app_id: number;
  event: string;
  handler: string;
  user_id: number;
  created_at: string;
  /** The auth_connector the binding was made with ('' none); offline bindings have handler ''. */
  connector_id: string;
}

/** One delivery of one event to one handler, written in the transaction of the change that caused it. */
export interface EventOutboxTable {
  id: Generated<number>;
  binding_id: number;
  app_id: number;
  event: string;
  handler: string;
  user_id: number;
  /** JSON text of the event's data. */
  data: string;
  /** Unix seconds when queued (the envelope's ts). */
  ts: number;
  created_at_ms: number;
  attempt: number;
  next_attempt_at_ms: number;
  claimed_by: string | null;
  claimed_until_ms: number | null;
  delivered_at_ms: number | null;
  failed_at_ms: number | null;
  last_error: string | null;
  /** LOCAL_USER: the user the delivery mints an access token for; 0 sends the no-user auth block. */
  local_user: number;
  /** The event session's TTL (the loop guard, runtime-connectors.md §12.2). */
  event_session: number;
}

/**
 * An event kept for an offline binding until the application takes it (event.offline.get, runtime-connectors.md
 * §13.6). process_id '' = not taken; error 1 = marked by event.offline.error.
 */
export interface EventOfflineTable {
  id: Generated<number>;
  app_id: number;
  connector_id: string;
  event: string;
  /** JSON text of the event's data. */
  data: string;
  /** The acting user (EVENT_ADDITIONAL.user_id); 0 none. */
  user_id: number;
  /** md5(EVENT_NAME|json(data)). */
  message_id: string;
  process_id: string;
  error: number;
  timestamp_ms: number;
}

/**
 * An operator's presence (runtime-sessions.md §8): absent and paused are 0/1; status 'online' | 'offline' set
 * explicitly, null = online by activity (the last REST call under 1 440 s old). No row: present, by activity.
 */
export interface OperatorPresenceTable {
  user_id: number;
  absent: number;
  paused: number;
  status: string | null;
  /** The user's last REST call by the server clock, recorded at most once a minute per user and server. */
  last_activity_ms: number | null;
  changed_at_ms: number | null;
}

/** A customer message waiting for an operator's answer, with its KPI deadline (runtime-sessions.md §6). */
export interface SessionKpiMessageTable {
  id: Generated<number>;
  session_id: number;
  message_id: number;
  /** 1: the session's first item (KPI_FIRST_ANSWER_*); 0: a later one (KPI_FURTHER_ANSWER_*). */
  is_first: number;
  received_ms: number;
  /** The deadline; null: the line sets none. */
  expired_ms: number | null;
  answered_ms: number | null;
  /** 1 once its alert went out. */
  notified: number;
}

/** A user's system notification (the im module's notify record, im.notify.get). */
export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  /** 0: the system. */
  author_id: number;
  /** IM_NOTIFY_SYSTEM = 4. */
  notify_type: number;
  module: string;
  event: string;
  tag: string;
  sub_tag: string;
  title: string;
  text: string;
  /** JSON text or null. */
  params: string | null;
  is_read: number;
  /** ISO-8601 (UTC). */
  created_at: string;
}
