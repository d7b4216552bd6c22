// A dialog session (runtime-sessions.md §0): one customer's conversation on a line, from the first message until it
// is closed. At most one open session per user code; the chat outlives it and is reused by the next.

/**
 * The reference's session statuses (Session::STATUS_*). A new session waits in its line's queue with status 0;
 * distribution (the next issue) moves it on.
 */
export const SESSION_STATUS = {
  NEW: 0,
  SKIP: 5,
  ANSWER: 10,
  CLIENT: 20,
  CLIENT_AFTER_OPERATOR: 25,
  OPERATOR: 40,
  WAIT_CLIENT: 50,
  CLOSE: 60,
  SPAM: 65,
  DUPLICATE: 69,
  SILENTLY_CLOSE: 75,
} as const;

export type SessionStatus = (typeof SESSION_STATUS)[keyof typeof SESSION_STATUS];

export interface Session {
  readonly id: number;
  readonly chatId: number;
  readonly lineId: number;
  readonly userCode: string;
  readonly customerId: number;
  readonly status: number;
  /** 0 until an operator takes the session. */
  readonly operatorId: number;
  readonly closed: boolean;
  readonly createdAt: string;
  readonly modifiedAt: string;
  readonly closedAt: string | null;
  /** input: a customer started it; output: an operator did. */
  readonly mode: 'input' | 'output';
  /** Nobody has taken it yet (offered or waiting): the reference's WAIT_ANSWER. */
  readonly waitAnswer: boolean;
  /** Closing mode: a close text or vote request went out; the next close is final. */
  readonly waitAction: boolean;
  /** Pinned to its operator: availability rules never take it away. */
  readonly pinned: boolean;
  readonly spam: boolean;
  /** The last distribution found nobody eligible. */
  readonly undistributed: boolean;
  /** Operators offered it in the current cycle, in order. */
  readonly queueHistory: readonly number[];
  readonly parentId: number;
  readonly dateOperator: string | null;
  readonly dateOperatorAnswer: string | null;
  readonly dateFirstAnswer: string | null;
  readonly dateLastMessage: string | null;
  readonly messageCount: number;
  readonly sendNoAnswerText: boolean;
  /** '' while open; operator | auto | spam | client once closed. */
  readonly closeReason: string;
  /** False when a customer opened it off-hours or on an inactive line (§2.2 step 4; written by automatic/off-hours). */
  readonly worktime: boolean;
  /** The off-hours text went to the customer in this session (§4; written by automatic/off-hours). */
  readonly sendNoWorkTimeText: boolean;
  /** The customer's rating on the chat page (issue 19). */
  readonly vote: SessionVote;
}

export type SessionVote = 'none' | 'like' | 'dislike';

/** The session's writable state, as the engine changes it. */
export type SessionState = Pick<
  Session,
  | 'status'
  | 'operatorId'
  | 'closed'
  | 'closedAt'
  | 'waitAnswer'
  | 'waitAction'
  | 'pinned'
  | 'spam'
  | 'undistributed'
  | 'queueHistory'
  | 'dateOperator'
  | 'dateOperatorAnswer'
  | 'dateFirstAnswer'
  | 'dateLastMessage'
  | 'messageCount'
  | 'sendNoAnswerText'
  | 'closeReason'
>;
