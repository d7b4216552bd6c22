// A line's chat with one customer: one per user code, reused by every session of that customer on that line
// (runtime-connectors.md §1 step 2).

export interface Chat {
  readonly id: number;
  readonly userCode: string;
  readonly connectorId: number;
  readonly lineId: number;
  readonly externalChatId: string;
  readonly customerId: number;
  readonly name: string;
  readonly description: string;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/**
 * The reference's user code, `<connector>|<line>|<chat.id>|<user id>` (Chat::parseLinesChatEntityId). For a
 * CHAT_GROUP connector the last part is 0: one dialog per external chat.
 */
export function userCodeOf(connector: string, lineId: number, externalChatId: string, customerId: number): string {
  return `${connector}|${lineId}|${externalChatId}|${customerId}`;
}
