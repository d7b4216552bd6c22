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
} as const;
