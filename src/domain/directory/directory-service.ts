// The portal directory and its credentials: users, departments, incoming webhooks. Used by the CLI, the
// first-start bootstrap and the admin page.

import { randomBytes } from 'node:crypto';
import {
  findDepartment,
  findUser,
  insertDepartment,
  insertUser,
  type NewUser,
} from '../../store/directory-repository.js';
import { getPortal, insertPortal } from '../../store/portal-repository.js';
import type { Store } from '../../store/store.js';
import { insertWebhook, listWebhooks, revokeWebhook, type WebhookRow } from '../../store/webhooks-repository.js';
import { generateCode, hashSecret } from '../secrets.js';

export const KNOWN_SCOPES = ['imopenlines', 'imconnector', 'im', 'imbot', 'basic'] as const;

export class DirectoryError extends Error {}

export interface NewWebhook {
  userId: number;
  scopes: readonly string[];
  strict?: boolean;
  expiresAt?: Date | null;
  title?: string;
}

export function parseScopes(text: string): string[] {
  const scopes = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (scopes.length === 0) throw new DirectoryError('at least one scope is needed');
  for (const scope of scopes) {
    if (!(KNOWN_SCOPES as readonly string[]).includes(scope)) {
      throw new DirectoryError(`unknown scope '${scope}' (known: ${KNOWN_SCOPES.join(', ')})`);
    }
  }
  return scopes;
}

export class DirectoryService {
  constructor(private readonly store: Store) {}

  async addUser(user: NewUser): Promise<number> {
    if (!user.name.trim()) throw new DirectoryError('a user needs a name');
    return this.store.write(async (trx) => {
      for (const id of user.departmentIds ?? []) {
        if (!(await findDepartment(trx, id))) throw new DirectoryError(`department ${id} does not exist`);
      }
      return insertUser(trx, user);
    });
  }

  async addDepartment(name: string, parentId: number | null): Promise<number> {
    if (!name.trim()) throw new DirectoryError('a department needs a name');
    return this.store.write(async (trx) => {
      if (parentId !== null && !(await findDepartment(trx, parentId))) {
        throw new DirectoryError(`department ${parentId} does not exist`);
      }
      return insertDepartment(trx, name, parentId);
    });
  }

  /** Returns the new webhook's id and its secret code, which is shown once and stored only as a hash. */
  async createWebhook(hook: NewWebhook): Promise<{ id: number; code: string }> {
    const code = generateCode();
    const id = await this.store.write(async (trx) => {
      if (!(await findUser(trx, hook.userId))) throw new DirectoryError(`user ${hook.userId} does not exist`);
      return insertWebhook(trx, {
        user_id: hook.userId,
        code_hash: hashSecret(code),
        scopes: hook.scopes.join(','),
        strict: hook.strict ? 1 : 0,
        expires_at: hook.expiresAt ? hook.expiresAt.toISOString() : null,
        title: hook.title ?? '',
      });
    });
    return { id, code };
  }

  listWebhooks(): Promise<WebhookRow[]> {
    return this.store.read(listWebhooks);
  }

  async revokeWebhook(id: number): Promise<void> {
    if (!(await this.store.write((trx) => revokeWebhook(trx, id))))
      throw new DirectoryError(`webhook ${id} does not exist`);
  }

  /**
   * First start with an empty store: the portal, user 1 (an administrator) and an incoming webhook for user 1
   * with scopes imopenlines,imconnector. Returns the webhook's code, or null when the portal already existed.
   */
  async bootstrap(portalName: string): Promise<{ userId: number; code: string } | null> {
    const created = await this.store.write(async (trx) => {
      if (await getPortal(trx)) return false;
      // Two servers starting on one empty PostgreSQL: the second insert waits for the first and does nothing.
      const inserted = await insertPortal(trx, {
        name: portalName,
        member_id: randomBytes(16).toString('hex'),
        created_at: new Date().toISOString(),
      });
      if (!inserted) return false;
      const existing = await findUser(trx, 1);
      if (!existing) await insertUser(trx, { name: 'Admin', admin: true, online: true });
      return true;
    });
    if (!created) return null;
    const { code } = await this.createWebhook({
      userId: 1,
      // im: the operators' messages (im.message.*, im.dialog.messages.get) into the lines' chats.
      scopes: ['imopenlines', 'imconnector', 'im'],
      title: 'first start',
    });
    return { userId: 1, code };
  }
}
