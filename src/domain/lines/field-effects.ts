// What each field of the line catalogue (catalogue.ts) does while the line works, described once, as data:
// runtime-sessions.md §9 (the index: setting → effect) made complete. docs/fields.md prints it as the "Effect"
// column; test/unit/field-effects.test.ts checks that every field is here, and that every field that acts has a
// runtime test named after it in the test file given.
//
// - `acts`: the effect and where it happens; `test`: the file under test/integration/ (without .test.ts) holding a
//   test whose name contains the field's name and shows the effect.
// - `none`: the field has no runtime effect, and why (as in the reference, or because openlines has no such part).
// - `notBuilt`: the reference gives it an effect openlines does not emulate (yet), and what is missing.

import type { LineField } from './catalogue.js';

export type FieldEffect =
  | { readonly acts: string; readonly test: string }
  | { readonly none: string }
  | { readonly notBuilt: string };

/** Every name the catalogue describes: the stored fields and the queue inputs. */
export type CatalogueName = LineField['name'] | 'QUEUE' | 'QUEUE_USERS_FIELDS';

const NO_CRM = 'none: openlines has no CRM (runtime-sessions.md §3.6, §9: out of scope); stored and echoed.';
const FORM_IDS = 'none: the reference takes no form ids (getFormValues() is empty; openlines-api.md §6.4).';
const NO_BOT_RULE = 'none: the rule takes only none and text, so no chat-bot is ever called (no bot platform).';
const WELCOME_BOT =
  'notBuilt: the welcome bot needs a chat-bot platform (bot.session.* methods); stored and echoed, sessions go to the queue as on a line without a bot (docs/sessions.md "The welcome bot").';
const WIDGET_FORM = "none: the reference's live chat widget asks for CRM form data; openlines has no CRM forms.";
const RECORD = 'none: record-keeping, printed by get and list.';

function parse(text: string): { none: string } | { notBuilt: string } {
  if (text.startsWith('none: ')) return { none: text.slice('none: '.length) };
  return { notBuilt: text.slice('notBuilt: '.length) };
}

export const FIELD_EFFECTS: { readonly [N in CatalogueName]: FieldEffect } = {
  ID: parse('none: the identifier, assigned by the server.'),
  ACTIVE: {
    acts: 'N: a new session gets the internal note "Open Channel is inactive…", every close is final, no vote request (session engine, §2.2, §2.3).',
    test: 'line-automation',
  },
  LINE_NAME: {
    acts: 'Named in the note of a transfer to another line ("redirected conversation from queue …") and as the title of the customer chat page.',
    test: 'operator-methods',
  },
  CRM: parse(NO_CRM),
  CRM_CREATE: parse(NO_CRM),
  CRM_CREATE_SECOND: parse(NO_CRM),
  CRM_CREATE_THIRD: parse(NO_CRM),
  CRM_FORWARD: parse(NO_CRM),
  CRM_CHAT_TRACKER: parse(NO_CRM),
  CRM_TRANSFER_CHANGE: parse(NO_CRM),
  CRM_SOURCE: parse(NO_CRM),
  QUEUE_TIME: {
    acts: 'Seconds an offer waits before redistribution for strictly / evenly (0 → 3600; `all` always 3600): the `queue` alarm (§3.7).',
    test: 'distribution',
  },
  NO_ANSWER_TIME: {
    acts: 'Seconds after the session starts until the no-answer scenario: the `no_answer` alarm (§3.10).',
    test: 'line-automation',
  },
  QUEUE_TYPE: {
    acts: 'The distribution strategy: strictly, evenly or all (§3.3-3.5); a change redistributes waiting sessions (§3.8).',
    test: 'distribution',
  },
  CHECK_AVAILABLE: {
    acts: "Y: only available operators (not paused, absent or offline) are offered sessions; a gone operator's sessions return to the queue (§3.9, §8).",
    test: 'distribution',
  },
  WATCH_TYPING: parse(
    'none: openlines carries no typing signal (the connector methods have none), so there is nothing to show.',
  ),
  WELCOME_BOT_ENABLE: parse(WELCOME_BOT),
  WELCOME_MESSAGE: {
    acts: 'Y: the welcome text goes to the customer after the first message of a new chat (§5).',
    test: 'line-automation',
  },
  WELCOME_MESSAGE_TEXT: {
    acts: 'The welcome text, #SESSION_ID# and #COMPANY_NAME# replaced, delivered through the connector (§5).',
    test: 'line-automation',
  },
  VOTE_MESSAGE: {
    acts: 'Y: the first close asks the customer for a rating and waits for it (status 50); a `1`/`0` answer is a vote (§2.4).',
    test: 'line-automation',
  },
  VOTE_TIME_LIMIT: {
    acts: 'Seconds after the close during which a vote counts; later: "Cannot rate this conversation." (§2.4).',
    test: 'line-automation',
  },
  VOTE_BEFORE_FINISH: parse(
    "none: only sent to the reference's widget so it can show rating buttons before the end (§2.4); the customer chat page offers the rating once an operator has written.",
  ),
  VOTE_CLOSING_DELAY: {
    acts: 'Y: a vote closes the session at once; N: it stays in status 50 until FULL_CLOSE_TIME (§2.4).',
    test: 'line-automation',
  },
  VOTE_MESSAGE_1_TEXT: {
    acts: 'The rating question the customer chat page (livechat connector) shows with its like / dislike buttons.',
    test: 'livechat',
  },
  VOTE_MESSAGE_1_LIKE: {
    acts: 'The answer the customer chat page (livechat connector) posts for a like.',
    test: 'livechat',
  },
  VOTE_MESSAGE_1_DISLIKE: {
    acts: 'The answer the customer chat page (livechat connector) posts for a dislike.',
    test: 'livechat',
  },
  VOTE_MESSAGE_2_TEXT: {
    acts: 'The rating request sent to the customer on the first close, through every connector (§2.4).',
    test: 'line-automation',
  },
  VOTE_MESSAGE_2_LIKE: {
    acts: 'The reply to a `1` vote; empty: the vote is not counted (§2.4).',
    test: 'line-automation',
  },
  VOTE_MESSAGE_2_DISLIKE: {
    acts: 'The reply to a `0` vote; empty: the vote is not counted (§2.4).',
    test: 'line-automation',
  },
  AGREEMENT_MESSAGE: parse("none: the reference's live chat widget shows the consent; openlines keeps no consents."),
  AGREEMENT_ID: parse("none: the reference's live chat widget shows the consent; openlines keeps no consents."),
  CATEGORY_ENABLE: parse(NO_CRM),
  CATEGORY_ID: parse(NO_CRM),
  WELCOME_BOT_JOIN: parse(WELCOME_BOT),
  WELCOME_BOT_ID: parse(WELCOME_BOT),
  WELCOME_BOT_TIME: parse(WELCOME_BOT),
  WELCOME_BOT_LEFT: parse(WELCOME_BOT),
  NO_ANSWER_RULE: {
    acts: 'text: NO_ANSWER_TIME after the start, if nobody took the session and no off-hours text went out, NO_ANSWER_TEXT goes to the customer once (§3.10).',
    test: 'line-automation',
  },
  NO_ANSWER_FORM_ID: parse(FORM_IDS),
  NO_ANSWER_BOT_ID: parse(NO_BOT_RULE),
  NO_ANSWER_TEXT: {
    acts: 'The no-answer text, delivered through the connector (§3.10).',
    test: 'line-automation',
  },
  WORKTIME_ENABLE: {
    acts: 'Y: sessions opened off-hours are WORKTIME=N, get the off-hours text and start their KPI at opening time; distribution goes on (§4).',
    test: 'worktime',
  },
  WORKTIME_FROM: { acts: "Opening time (H.MM) in the line's zone (§4).", test: 'worktime' },
  WORKTIME_TO: { acts: "Closing time (H.MM) in the line's zone (§4).", test: 'worktime' },
  WORKTIME_TIMEZONE: {
    acts: 'The zone working hours are read in, DST-correct (empty: the portal zone) (§4).',
    test: 'worktime',
  },
  WORKTIME_HOLIDAYS: { acts: 'DD.MM days that are off-hours all day (exact match) (§4).', test: 'worktime' },
  WORKTIME_DAYOFF: { acts: 'Weekdays that are off-hours all day (§4).', test: 'worktime' },
  WORKTIME_DAYOFF_RULE: {
    acts: 'text: a session opened off-hours gets WORKTIME_DAYOFF_TEXT once (§4).',
    test: 'worktime',
  },
  WORKTIME_DAYOFF_FORM_ID: parse(FORM_IDS),
  WORKTIME_DAYOFF_BOT_ID: parse(NO_BOT_RULE),
  WORKTIME_DAYOFF_TEXT: {
    acts: 'The off-hours text, #COMPANY_NAME# replaced, delivered through the connector (§4).',
    test: 'worktime',
  },
  CLOSE_RULE: {
    acts: "text: the operator's finish sends CLOSE_TEXT to the customer (status 50); none: no text (§2.3).",
    test: 'line-automation',
  },
  CLOSE_FORM_ID: parse(FORM_IDS),
  CLOSE_BOT_ID: parse(NO_BOT_RULE),
  CLOSE_TEXT: { acts: "The text sent on the operator's finish (§2.3).", test: 'line-automation' },
  FULL_CLOSE_TIME: {
    acts: "Minutes a session stays in status 50 before the final close (a customer's message meanwhile continues it); a vote that reopens a closed session closes it again after as long (§2.3, §2.4).",
    test: 'line-automation',
  },
  AUTO_CLOSE_RULE: {
    acts: 'text: the automatic close after AUTO_CLOSE_TIME sends AUTO_CLOSE_TEXT; none: it closes without a text (§2.3).',
    test: 'line-automation',
  },
  AUTO_CLOSE_FORM_ID: parse(FORM_IDS),
  AUTO_CLOSE_BOT_ID: parse(NO_BOT_RULE),
  AUTO_CLOSE_TIME: {
    acts: "Seconds after the operator's last reply without a customer's answer until the automatic close: the `close` alarm (§1.2, §2.3).",
    test: 'line-automation',
  },
  AUTO_CLOSE_TEXT: { acts: 'The text sent on the automatic close (§2.3).', test: 'line-automation' },
  AUTO_EXPIRE_TIME: parse('none: the reference reads it nowhere at run time (runtime-sessions.md §2.3, §9).'),
  DATE_CREATE: parse(RECORD),
  DATE_MODIFY: parse(RECORD),
  MODIFY_USER_ID: parse(RECORD),
  TEMPORARY: {
    acts: 'a line added as temporary is deleted 8 hours after it was added if still temporary (a stored line timer; sessions finished, events sent, the deletion in its history by the server).',
    test: 'temporary-lines',
  },
  XML_ID: parse('none: an external identifier for integrations, stored and filterable.'),
  LANGUAGE_ID: parse("none: openlines' system texts are English (runtime-sessions.md §10); stored and echoed."),
  QUICK_ANSWERS_IBLOCK_ID: parse('none: canned replies (imopenlines.message.quick.save) are not kept by openlines.'),
  SESSION_PRIORITY: parse("none: ordering in the operator's UI only (runtime-sessions.md §3.12)."),
  TYPE_MAX_CHAT: {
    acts: "Which of an operator's sessions count against MAX_CHAT: answered, answered_new or closed (§3.1).",
    test: 'distribution',
  },
  MAX_CHAT: {
    acts: 'Sessions an operator may hold on this line before being skipped (0: no limit) (§3.1).',
    test: 'distribution',
  },
  OPERATOR_DATA: {
    acts: "How operators' messages are signed to the customer: profile (directory name), queue (the line's own name) or hide (unsigned) (§11.1).",
    test: 'im-messages',
  },
  DEFAULT_OPERATOR_DATA: parse(
    "none: the name and avatar the reference's widget shows for hidden operators; openlines sends their messages unsigned.",
  ),
  KPI_FIRST_ANSWER_TIME: {
    acts: 'Seconds for the first answer to a customer message: the `kpi` alarm (off-hours: from opening time) (§6).',
    test: 'kpi',
  },
  KPI_FIRST_ANSWER_ALERT: { acts: 'Y: a missed first-answer deadline is notified (§6).', test: 'kpi' },
  KPI_FIRST_ANSWER_LIST: {
    acts: 'Who gets the first-answer alert as a notification (im.notify.get) (§6).',
    test: 'kpi',
  },
  KPI_FIRST_ANSWER_TEXT: {
    acts: 'The first-answer alert, #OPERATOR# and #DIALOG# replaced (§6).',
    test: 'kpi',
  },
  KPI_FURTHER_ANSWER_TIME: {
    acts: 'Seconds for each later answer after an operator reply: the `kpi` alarm (§6).',
    test: 'kpi',
  },
  KPI_FURTHER_ANSWER_ALERT: { acts: 'Y: a missed further-answer deadline is notified (§6).', test: 'kpi' },
  KPI_FURTHER_ANSWER_LIST: {
    acts: 'Who gets the further-answer alert as a notification (im.notify.get) (§6).',
    test: 'kpi',
  },
  KPI_FURTHER_ANSWER_TEXT: {
    acts: 'The further-answer alert, #OPERATOR# and #DIALOG# replaced (§6).',
    test: 'kpi',
  },
  KPI_CHECK_OPERATOR_ACTIVITY: parse('none: the reference reads it nowhere at run time (runtime-sessions.md §6, §9).'),
  SEND_NOTIFICATION_EMPTY_QUEUE: parse('none: printed only; not writable through REST.'),
  USE_WELCOME_FORM: parse(WIDGET_FORM),
  WELCOME_FORM_ID: parse(WIDGET_FORM),
  WELCOME_FORM_DELAY: parse(WIDGET_FORM),
  SEND_WELCOME_EACH_SESSION: {
    acts: 'Y: the welcome opens every session of the chat, not only the first (§5).',
    test: 'line-automation',
  },
  CONFIRM_CLOSE: parse("none: the operator's UI asks for confirmation before closing (runtime-sessions.md §2.3)."),
  IGNORE_WELCOME_FORM_RESPONSIBLE: parse(WIDGET_FORM),
  QUEUE: {
    acts: 'The operators offered sessions, in this order (§3.2); a change takes sessions from removed operators and offers waiting ones at once (§3.8, §3.9).',
    test: 'distribution',
  },
  QUEUE_USERS_FIELDS: {
    acts: "With OPERATOR_DATA=queue, the name that signs the operator's messages to the customer (§11.1).",
    test: 'im-messages',
  },
};

/** The effect as one line of text (docs/fields.md's "Effect" column). */
export function effectText(effect: FieldEffect): string {
  if ('acts' in effect) return effect.acts;
  if ('none' in effect) return `none: ${effect.none}`;
  return `not built: ${effect.notBuilt}`;
}
