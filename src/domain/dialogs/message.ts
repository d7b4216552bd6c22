// A message in a line's chat: written by the customer through the connector, or by an operator (issue 16,
// operator half) and delivered through the connector.

export type MessageAuthor =
  | { readonly kind: 'customer'; readonly customerId: number }
  | { readonly kind: 'operator'; readonly userId: number }
  | { readonly kind: 'system' };

/** A file as the connector sent it: kept as a URL, never downloaded (DECISIONS.md "The line at work"). */
export interface MessageFile {
  readonly url: string;
  readonly name: string;
}

export interface Message {
  readonly id: number;
  readonly chatId: number;
  readonly sessionId: number | null;
  readonly author: MessageAuthor;
  readonly text: string;
  readonly files: readonly MessageFile[];
  /** The connector's external ids of this message (the reference's CONNECTOR_MID parameter). */
  readonly connectorMid: readonly string[];
  /** An operator's message not yet confirmed by imconnector.send.status.delivery (the reference's SENDING). */
  readonly sending: boolean;
  readonly delivered: boolean;
  /** Deleted messages keep no text or files; they read as DELETED_MESSAGE_TEXT. */
  readonly deleted: boolean;
  /** Edited by its author (im.message.update). */
  readonly edited: boolean;
  readonly createdAt: string;
  readonly modifiedAt: string;
}

/** What a deleted message reads as (the reference's IM_MESSAGE_DELETED). */
export const DELETED_MESSAGE_TEXT = 'This message has been deleted.';
