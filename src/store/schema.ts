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
  /** The normalised configuration document (JSON text): every catalogue field but ID and the dates. */
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

export interface MigrationTable {
  name: string;
  applied_at: string;
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
  openlines_migrations: MigrationTable;
}
