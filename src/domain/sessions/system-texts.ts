// The system messages the engine posts into a line's chat (runtime-sessions.md §10, the English texts), with
// users as BB-code mentions. Described once; the engine and the docs read them from here.

/** A user as the reference's texts name them: `[USER=<id>][/USER]`. */
export const mention = (userId: number): string => `[USER=${userId}][/USER]`;

/** `##LINK#`: `#` and a link to the session's history. */
const sessionLink = (sessionId: number): string => `#[URL=/online/?IM_HISTORY=imol|${sessionId}]${sessionId}[/URL]`;

export const SYSTEM_TEXTS = {
  sessionStarted: (sessionId: number) => `Conversation ${sessionLink(sessionId)} started`,
  assignedTo: (userId: number) => `Enquiry assigned to ${mention(userId)}`,
  assignedToAll: 'Enquiry assigned to all agents in the queue',
  transferredByQueue: (userId: number) => `Enquiry transferred to ${mention(userId)} according to queuing rules`,
  noOperatorAvailable: 'Enquiry has been resubmitted to the queue because there are no agents available',
  returnedToQueue: 'Enquiry has been resubmitted to the queue.',
  picked: (userId: number) => `${mention(userId)} picked conversation`,
  rejected: (userId: number) => `${mention(userId)} rejected conversation`,
  skipAlone: 'You cannot reject the conversation because you are the only person available in the queue.',
  transferred: (from: number, to: number) => `${mention(from)} transfered conversation to ${mention(to)}`,
  transferredToLine: (from: number, lineFrom: string, lineTo: string) =>
    `${mention(from)} redirected conversation from queue "${lineFrom}" to queue "${lineTo}"`,
  intercepted: (by: number, from: number) => `${mention(by)} took conversation from ${mention(from)}`,
  markedSpam: (userId: number) => `${mention(userId)} marked the current conversation as spam`,
  closedBy: (userId: number) => `${mention(userId)} has closed session`,
  closedAutomatically: 'Session closed automatically',
  closedFinal: 'Conversation closed.',
  returned: {
    VACATION: 'Conversation was removed from the agent because the agent is on leave',
    NONWORKING: 'Conversation was removed from the agent because the agent has clocked out or not clocked in yet.',
    DISMISSAL: 'Conversation was removed from the agent because the agent had been dismissed',
    REMOVING: 'Conversation was removed from the agent because the agent had been removed from the Open Channel',
    NOT_AVAILABLE: 'Conversation was removed from the agent because the agent is not available.',
  },
  // The operators' methods (§7).
  /** IMOL_CHAT_CLOSE_M/F (another.finish by someone else than the operator): no stored English text, ours. */
  closedConversation: (userId: number) => `${mention(userId)} closed the conversation`,
  closedForOpen: (userId: number) => `${mention(userId)} closed the current conversation and started a new one`,
  forked: (sessionId: number, parentId: number) =>
    `New conversation ${sessionLink(sessionId)} started (forked from ${sessionLink(parentId)})`,
  /** `date`: the new auto-close day as `[b]d F[/b]` (e.g. `[b]09 December[/b]`). */
  pinned: (date: string) => `The conversation is assigned to agent, auto close date moved to ${date}`,
  unpinned: 'The conversation is unassigned from agent, auto close date set according to the queue rules.',
  // The line at work (issue 18).
  lineInactive: 'Open Channel is inactive, no messages will be sent to the client.',
  resumed: (sessionId: number) => `Conversation ${sessionLink(sessionId)} resumed`,
  /** To the customer: a vote after VOTE_TIME_LIMIT. */
  voteTimeOver: 'Cannot rate this conversation.',
} as const;
