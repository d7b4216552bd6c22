// The seam between the dialogs and the events to applications (issue 16, the events half). The dialog service
// calls it inside the transaction of the change, so that an implementation writing an outbox row commits or rolls
// back with the change. The composition passes NO_DIALOG_EVENTS until the outbox is wired in:
// - sessionStarted → OnImConnectorDialogStart (runtime-connectors.md §11.4) to the connector's owner application;
// - customerMessageAdded → nothing the reference sends to the connector application today (its own message);
//   the hook is there for OnOpenLineMessageAdd and for the operator side's OnImConnectorMessageAdd counterpart.

import type { Db } from '../../store/db.js';
import type { Chat } from './chat.js';
import type { Customer } from './customer.js';
import type { Message } from './message.js';
import type { Session } from './session.js';

export interface DialogEvent {
  /** The connector code and its owner application (oauth_apps.id) the events go to. */
  readonly connector: { readonly id: number; readonly code: string; readonly appId: number };
  readonly lineId: number;
  readonly customer: Customer;
  readonly chat: Chat;
  readonly session: Session;
}

export interface DialogEvents {
  /** A new session was opened by a customer's message (before the message is stored). */
  sessionStarted(trx: Db, event: DialogEvent): Promise<void>;
  /** A customer's message was stored in the chat. */
  customerMessageAdded(trx: Db, event: DialogEvent & { readonly message: Message }): Promise<void>;
}

export const NO_DIALOG_EVENTS: DialogEvents = {
  sessionStarted: async () => {},
  customerMessageAdded: async () => {},
};
