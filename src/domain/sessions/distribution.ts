// Who a session is offered to (runtime-sessions.md §3.1-§3.5): pure functions of the line's queue, each member's
// availability, load and last offer, and the session's history. One strategy per QUEUE_TYPE; the engine reads
// the inputs and stores the result.

/** The stop status of TYPE_MAX_CHAT: sessions below it count against MAX_CHAT (§3.1). */
export const BUSY_BELOW = { answered_new: 25, answered: 40, closed: 50 } as const;
export type TypeMaxChat = keyof typeof BUSY_BELOW;

/** MAX_CHAT 0 (or past the reference's cap) means 1000 (§3.1). */
export const MAX_CHAT_CAP = 1000;
/** The period of `all`, and of QUEUE_TIME=0 (DECISIONS.md; Queue::UNDISTRIBUTED_QUEUE_TIME). */
export const UNDISTRIBUTED_QUEUE_SECONDS = 3600;

export type Unavailable = 'DISMISSAL' | 'VACATION' | 'NONWORKING' | 'OFFLINE';

/** One operator of the line's expanded queue, in queue order, as distribution sees them. */
export interface Candidate {
  readonly userId: number;
  /** null: available; else why not (§8). */
  readonly unavailable: Unavailable | null;
  /** Open sessions of this line they hold below TYPE_MAX_CHAT's stop status. */
  readonly busy: number;
  /** When they were last offered a session of this line (evenly); null: never. */
  readonly lastOfferedMs: number | null;
}

export interface LineRules {
  readonly queueType: 'strictly' | 'evenly' | 'all';
  readonly maxChat: number;
  readonly queueTimeSeconds: number;
}

export interface SessionView {
  /** The session's current operator (taken or offered); 0 for none. */
  readonly operatorId: number;
  readonly history: readonly number[];
}

export interface Offer {
  /** The operators it is offered to: one (strictly, evenly) or every eligible one (all); empty: nobody. */
  readonly operators: readonly number[];
  readonly history: readonly number[];
  /** Seconds until the next distribution. */
  readonly nextInSeconds: number;
}

/** Why a queue member would not get a new session now (openlines.route.simulate shows it). */
export type Exclusion = Unavailable | 'NO_FREE_SLOT';

/** A member's reason not to be offered a session now, or null when eligible (§3.1). */
export function exclusionOf(candidate: Candidate, rules: LineRules, currentOperator: number): Exclusion | null {
  if (candidate.unavailable) return candidate.unavailable;
  const max = rules.maxChat <= 0 || rules.maxChat > MAX_CHAT_CAP ? MAX_CHAT_CAP : rules.maxChat;
  // The session's current operator only needs to be available.
  if (candidate.userId !== currentOperator && candidate.busy >= max) return 'NO_FREE_SLOT';
  return null;
}

function queueSeconds(rules: LineRules): number {
  if (rules.queueType === 'all') return UNDISTRIBUTED_QUEUE_SECONDS;
  return rules.queueTimeSeconds > 0 ? rules.queueTimeSeconds : UNDISTRIBUTED_QUEUE_SECONDS;
}

type Strategy = (eligible: readonly Candidate[], session: SessionView) => Pick<Offer, 'operators' | 'history'>;

const STRATEGIES: Record<LineRules['queueType'], Strategy> = {
  // The first eligible operator not yet offered it in this cycle; all offered: the cycle restarts (§3.3).
  strictly: (eligible, session) => {
    const next = eligible.find((c) => !session.history.includes(c.userId));
    if (next) return { operators: [next.userId], history: [...session.history, next.userId] };
    const first = eligible[0];
    return first ? { operators: [first.userId], history: [first.userId] } : { operators: [], history: [] };
  },
  // The least recently offered (never offered first), ties by queue order; the history only records (§3.4).
  evenly: (eligible, session) => {
    const ordered = eligible
      .map((c, position) => ({ c, position }))
      .sort(
        (a, b) =>
          (a.c.lastOfferedMs ?? Number.NEGATIVE_INFINITY) - (b.c.lastOfferedMs ?? Number.NEGATIVE_INFINITY) ||
          a.position - b.position,
      );
    const pick = ordered[0]?.c;
    if (!pick) return { operators: [], history: [] };
    const history = [...session.history];
    for (const c of eligible) if (!history.includes(c.userId)) history.push(c.userId);
    return { operators: [pick.userId], history };
  },
  // Every eligible operator; the first to answer takes it (§3.5).
  all: (eligible) => ({ operators: eligible.map((c) => c.userId), history: eligible.map((c) => c.userId) }),
};

/** The offer for a session now: the line's strategy over the eligible members, in queue order. */
export function distribute(candidates: readonly Candidate[], rules: LineRules, session: SessionView): Offer {
  const eligible = candidates.filter((c) => exclusionOf(c, rules, session.operatorId) === null);
  const chosen = STRATEGIES[rules.queueType](eligible, session);
  return { ...chosen, nextInSeconds: queueSeconds(rules) };
}
