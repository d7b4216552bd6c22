// THE line-configuration catalogue: every field of an open line, described once. Order = the order in which
// imopenlines.config.get prints the fields (openlines-api.md §3.3). Validation, defaults, get/list output,
// docs/fields.md and the admin form are all derived from this list.
// Sources: openlines-api.md §2.1 (fields), reference-behaviour.md §2.1–§2.2 (normalisation, defaults), DECISIONS.md.

import type {
  AutoDefault,
  EnumField,
  FieldDescriptor,
  FieldGroup,
  FormIdField,
  IntField,
  LineColumn,
  QueueInputDescriptor,
  SameRequestRule,
  TextField,
  YnField,
} from './field-types.js';

const SRC_PREPARE = 'reference-behaviour.md §2.1 (Config::prepareFields)';
const SRC_DEFAULTS = 'reference-behaviour.md §2.2';

type Common = {
  group: FieldGroup;
  label: string;
  help: string;
  source?: string;
  sameRequest?: SameRequestRule;
  column?: LineColumn;
};

// The helpers keep each field's name, values and default as literal types, so LineValues (line.ts) knows that
// QUEUE_TYPE is 'evenly' | 'strictly' | 'all' and that QUEUE_TIME is never null.
function yn<const N extends string>(name: N, def: 'Y' | 'N', otherwise: 'Y' | 'N', c: Common): YnField & { name: N } {
  return { kind: 'yn', name, default: def, otherwise, source: SRC_PREPARE, ...c };
}
function int<const N extends string, const D extends number | null>(
  name: N,
  def: D,
  c: Common & { min?: number; max?: number; outOfRange?: 'clamp' | 'ignore'; unit?: 'seconds' | 'minutes' },
): IntField & { name: N; default: D } {
  return { kind: 'int', name, default: def, outOfRange: 'clamp', source: SRC_PREPARE, ...c };
}
function enumeration<const N extends string, const V extends readonly string[]>(
  name: N,
  values: V,
  def: V[number],
  invalidBecomes: V[number],
  c: Common & { valueLabels?: Record<string, string> },
): EnumField & { name: N; values: V; default: V[number] } {
  return { kind: 'enum', name, values, default: def, invalidBecomes, source: SRC_PREPARE, ...c };
}
function text<const N extends string, const D extends string | null | AutoDefault>(
  name: N,
  def: D,
  c: Common & {
    maxLength?: number;
    truncateTo?: number;
    htmlEscape?: boolean;
    multiline?: boolean;
    emptyIsAbsent?: boolean;
  },
): TextField & { name: N; default: D } {
  return { kind: 'text', name, default: def, maxLength: 65_535, source: SRC_DEFAULTS, ...c };
}
function formId<const N extends string>(name: N, c: Common): FormIdField & { name: N } {
  return {
    kind: 'formId',
    name,
    default: 0,
    source: 'openlines-api.md §6.4; reference-behaviour.md §2.1 "Form IDs" (getFormValues() is empty)',
    ...c,
  };
}

const RULE_VALUES = ['none', 'text'] as const;
const RULE_LABELS = { none: 'Do nothing', text: 'Send a text message' };
const WELCOME_BOT_ENABLED = { field: 'WELCOME_BOT_ENABLE', equals: 'Y' } as const;

const CATALOGUE = [
  {
    kind: 'id',
    name: 'ID',
    group: 'system',
    label: 'ID',
    help: 'Line identifier, assigned by the server.',
    source: 'openlines-api.md §2.1',
    readOnly: true,
    column: 'id',
  },
  yn('ACTIVE', 'Y', 'Y', {
    group: 'general',
    label: 'Active',
    help: 'Whether the line accepts conversations.',
    column: 'active',
  }),
  text(
    'LINE_NAME',
    { auto: 'lineName' },
    {
      group: 'general',
      label: 'Line name',
      help: 'Display name. Empty on add: "Open Channel <portal name>" for the first line, then "Open Channel <n>".',
      maxLength: 255,
      emptyIsAbsent: true,
      column: 'line_name',
      source: 'reference-behaviour.md §2.1 "Line name"; ORM LINE_NAME ≤255',
    },
  ),
  yn('CRM', 'Y', 'Y', { group: 'crm', label: 'Search the client in CRM', help: 'Look up the client in CRM.' }),
  enumeration('CRM_CREATE', ['none', 'lead', 'deal'], 'lead', 'lead', {
    group: 'crm',
    label: 'Create in CRM',
    help: 'What to create in CRM for a new client.',
    valueLabels: { none: 'Nothing', lead: 'A lead', deal: 'A deal' },
    source: 'reference-behaviour.md §2.1 Enums; DECISIONS.md CRM_CREATE',
  }),
  text('CRM_CREATE_SECOND', '', {
    group: 'crm',
    label: 'Secondary CRM creation mode',
    help: 'Free code, stored as sent.',
    maxLength: 50,
    source: 'DECISIONS.md CRM_CREATE_SECOND; ORM ≤50',
  }),
  yn('CRM_CREATE_THIRD', 'Y', 'Y', {
    group: 'crm',
    label: 'Create a third CRM entity',
    help: 'Create a third CRM object.',
  }),
  yn('CRM_FORWARD', 'Y', 'Y', {
    group: 'crm',
    label: 'Forward to the CRM responsible person',
    help: 'Route the conversation to the responsible person when the client is recognised.',
  }),
  yn('CRM_CHAT_TRACKER', 'Y', 'Y', { group: 'crm', label: 'CRM chat tracker', help: 'Enable the CRM chat tracker.' }),
  yn('CRM_TRANSFER_CHANGE', 'Y', 'Y', {
    group: 'crm',
    label: 'Change the responsible person on transfer',
    help: 'Change the CRM responsible person when the conversation is transferred.',
  }),
  text('CRM_SOURCE', 'create', {
    group: 'crm',
    label: 'CRM source',
    help: 'Source code of the created CRM entity ("create" creates a source automatically).',
    maxLength: 50,
    source: 'DECISIONS.md CRM_SOURCE; ORM ≤50',
  }),
  int('QUEUE_TIME', 60, {
    group: 'queue',
    label: 'Queue time',
    help: 'Seconds before the conversation is passed to the next operator.',
    unit: 'seconds',
  }),
  int('NO_ANSWER_TIME', 60, {
    group: 'queue',
    label: 'No-answer time',
    help: 'Seconds before the no-answer scenario starts.',
    unit: 'seconds',
  }),
  enumeration('QUEUE_TYPE', ['evenly', 'strictly', 'all'], 'all', 'all', {
    group: 'queue',
    label: 'Distribution',
    help: 'How conversations are distributed among operators.',
    valueLabels: { evenly: 'Evenly (round robin)', strictly: 'Strictly in queue order', all: 'To all operators' },
    source: 'reference-behaviour.md §2.1 Enums; DECISIONS.md (no plan downgrade)',
  }),
  yn('CHECK_AVAILABLE', 'N', 'Y', {
    group: 'queue',
    label: 'Check operator availability',
    help: 'Check whether the operator is available when distributing.',
  }),
  yn('WATCH_TYPING', 'Y', 'N', {
    group: 'queue',
    label: 'Show typing',
    help: "Show the client's typing to the operator.",
  }),
  yn('WELCOME_BOT_ENABLE', 'N', 'N', {
    group: 'welcome',
    label: 'Welcome chat-bot',
    help: 'Hand new conversations to a chat-bot first. WELCOME_BOT_ID/TIME/LEFT only apply when this is Y in the same request.',
  }),
  yn('WELCOME_MESSAGE', 'Y', 'Y', { group: 'welcome', label: 'Welcome message', help: 'Send an automatic greeting.' }),
  text(
    'WELCOME_MESSAGE_TEXT',
    'Welcome to [b]#COMPANY_NAME#[/b] Open Channel![br]You will receive a reply shortly, please hold on.',
    { group: 'welcome', label: 'Welcome text', help: 'Greeting text; [b] and [br] markup allowed.', multiline: true },
  ),
  yn('VOTE_MESSAGE', 'Y', 'Y', {
    group: 'vote',
    label: 'Ask for a rating',
    help: 'Ask the client to rate the service.',
  }),
  int('VOTE_TIME_LIMIT', 0, {
    group: 'vote',
    label: 'Rating time limit',
    help: 'Seconds during which the client may rate (0: no limit).',
    min: 0,
    unit: 'seconds',
  }),
  yn('VOTE_BEFORE_FINISH', 'Y', 'N', {
    group: 'vote',
    label: 'Rate before finishing',
    help: 'Ask for the rating before the conversation ends.',
  }),
  yn('VOTE_CLOSING_DELAY', 'N', 'N', {
    group: 'vote',
    label: 'Close after rating',
    help: 'Close the session right after the client rates.',
  }),
  text('VOTE_MESSAGE_1_TEXT', 'Please tell us how we did.', {
    group: 'vote',
    label: 'Rating request (widget)',
    help: 'Rating request in the widget and online chat; cut to 100 characters.',
    truncateTo: 100,
    source: 'reference-behaviour.md §2.1 Texts (mb_substr 100)',
  }),
  text('VOTE_MESSAGE_1_LIKE', 'Thank you!', {
    group: 'vote',
    label: 'After a like (widget)',
    help: 'Reply to a positive rating in the widget; cut to 100 characters.',
    truncateTo: 100,
    source: 'reference-behaviour.md §2.1 Texts (mb_substr 100)',
  }),
  text('VOTE_MESSAGE_1_DISLIKE', 'We are sorry we could not help you. Your opinion will help us improve our service.', {
    group: 'vote',
    label: 'After a dislike (widget)',
    help: 'Reply to a negative rating in the widget; cut to 100 characters.',
    truncateTo: 100,
    source: 'reference-behaviour.md §2.1 Texts (mb_substr 100)',
  }),
  text(
    'VOTE_MESSAGE_2_TEXT',
    'Please tell us how we did.[br][br]Just send 1 if you are satisfied, or 0 if we could do better.',
    {
      group: 'vote',
      label: 'Rating request (messengers)',
      help: 'Rating request in external messengers.',
      multiline: true,
    },
  ),
  text('VOTE_MESSAGE_2_LIKE', 'Thank you!', {
    group: 'vote',
    label: 'After a like (messengers)',
    help: 'Reply to a positive rating in external messengers.',
  }),
  text('VOTE_MESSAGE_2_DISLIKE', 'We are sorry we could not help you. Your opinion will help us improve our service.', {
    group: 'vote',
    label: 'After a dislike (messengers)',
    help: 'Reply to a negative rating in external messengers.',
  }),
  yn('AGREEMENT_MESSAGE', 'N', 'N', {
    group: 'general',
    label: 'Consent notice',
    help: 'Show a personal-data consent notice.',
  }),
  int('AGREEMENT_ID', 0, { group: 'general', label: 'Consent ID', help: 'User-consent identifier.' }),
  yn('CATEGORY_ENABLE', 'N', 'N', {
    group: 'crm',
    label: 'CRM categories',
    help: 'Use CRM categories (pipelines). CATEGORY_ID only applies when this is Y in the same request.',
  }),
  int('CATEGORY_ID', 0, {
    group: 'crm',
    label: 'Category ID',
    help: 'CRM category; kept only when CATEGORY_ENABLE=Y is sent in the same request, otherwise 0.',
    sameRequest: { field: 'CATEGORY_ENABLE', equals: 'Y', otherwise: 0 },
  }),
  enumeration('WELCOME_BOT_JOIN', ['first', 'always'], 'always', 'always', {
    group: 'welcome',
    label: 'When the bot joins',
    help: 'Bot on the first contact only, or on every conversation.',
    valueLabels: { first: 'First contact only', always: 'Every conversation' },
  }),
  int('WELCOME_BOT_ID', 0, {
    group: 'welcome',
    label: 'Welcome bot ID',
    help: 'Chat-bot identifier; kept only when WELCOME_BOT_ENABLE=Y is sent in the same request, otherwise 0.',
    sameRequest: { ...WELCOME_BOT_ENABLED, otherwise: 0 },
  }),
  int('WELCOME_BOT_TIME', 600, {
    group: 'welcome',
    label: 'Bot hand-over time',
    help: 'Seconds before the bot hands over to the queue; kept only with WELCOME_BOT_ENABLE=Y in the same request, otherwise 600.',
    unit: 'seconds',
    sameRequest: { ...WELCOME_BOT_ENABLED, otherwise: 600 },
  }),
  enumeration('WELCOME_BOT_LEFT', ['queue', 'close'], 'queue', 'queue', {
    group: 'welcome',
    label: 'When the bot leaves',
    help: 'When the conversation goes to the queue, or when it closes ("close" needs WELCOME_BOT_ENABLE=Y in the same request).',
    valueLabels: { queue: 'When passed to the queue', close: 'When the conversation closes' },
    sameRequest: { ...WELCOME_BOT_ENABLED, otherwise: 'queue', onlyForValues: ['close'] },
  }),
  enumeration('NO_ANSWER_RULE', RULE_VALUES, 'none', 'none', {
    group: 'noAnswer',
    label: 'No-answer scenario',
    help: 'What happens when no operator answers.',
    valueLabels: RULE_LABELS,
  }),
  formId('NO_ANSWER_FORM_ID', {
    group: 'noAnswer',
    label: 'No-answer CRM form',
    help: 'CRM form (no forms exist here: always 0).',
  }),
  int('NO_ANSWER_BOT_ID', 0, {
    group: 'noAnswer',
    label: 'No-answer bot',
    help: 'Chat-bot for the no-answer scenario.',
  }),
  text(
    'NO_ANSWER_TEXT',
    'Unfortunately we cannot currently serve your request. We will get back to you as soon as possible.',
    { group: 'noAnswer', label: 'No-answer text', help: 'Auto-reply when no operator answers.', multiline: true },
  ),
  yn('WORKTIME_ENABLE', 'N', 'N', {
    group: 'worktime',
    label: 'Working hours',
    help: 'Apply the working hours below.',
  }),
  {
    kind: 'hour',
    name: 'WORKTIME_FROM',
    default: '9',
    pairedWith: 'WORKTIME_TO',
    end: 'from',
    group: 'worktime',
    label: 'Working day starts',
    help: 'Decimal hours "9" or "9.30", or "09:30". Applied only together with WORKTIME_TO; at most 23.30.',
    source: 'reference-behaviour.md §2.1 "Working time"; DECISIONS.md WORKTIME_FROM/TO',
  },
  {
    kind: 'hour',
    name: 'WORKTIME_TO',
    default: '18.30',
    pairedWith: 'WORKTIME_FROM',
    end: 'to',
    group: 'worktime',
    label: 'Working day ends',
    help: 'Decimal hours "18" or "18.30", or "18:30". Applied only together with WORKTIME_FROM; must be after the start.',
    source: 'reference-behaviour.md §2.1 "Working time"; DECISIONS.md WORKTIME_FROM/TO',
  },
  text('WORKTIME_TIMEZONE', '', {
    group: 'worktime',
    label: 'Time zone',
    help: 'IANA zone for the working hours, e.g. Europe/Berlin.',
    maxLength: 50,
    source: 'reference-behaviour.md §2.1 (stored as given, ORM ≤50)',
  }),
  {
    kind: 'holidays',
    name: 'WORKTIME_HOLIDAYS',
    maxLength: 2000,
    group: 'worktime',
    label: 'Holidays',
    help: 'Comma-separated DD.MM dates, e.g. 1.01,25.12 (or an array of them).',
    source: 'reference-behaviour.md §2.1 "Working time"',
  },
  {
    kind: 'dayList',
    name: 'WORKTIME_DAYOFF',
    values: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'],
    group: 'worktime',
    label: 'Days off',
    help: 'Weekly days off: MO TU WE TH FR SA SU.',
    source: 'reference-behaviour.md §2.1 "Working time"',
  },
  enumeration('WORKTIME_DAYOFF_RULE', RULE_VALUES, 'none', 'none', {
    group: 'worktime',
    label: 'Outside working hours',
    help: 'What happens when a message arrives outside working hours.',
    valueLabels: RULE_LABELS,
  }),
  formId('WORKTIME_DAYOFF_FORM_ID', {
    group: 'worktime',
    label: 'Off-hours CRM form',
    help: 'CRM form (no forms exist here: always 0).',
  }),
  int('WORKTIME_DAYOFF_BOT_ID', 0, {
    group: 'worktime',
    label: 'Off-hours bot',
    help: 'Chat-bot for the off-hours scenario.',
  }),
  text(
    'WORKTIME_DAYOFF_TEXT',
    'Welcome to [b]#COMPANY_NAME#![/b] Open Channel![br]Unfortunately we are currently unable to talk to you.[br][br]Please type in your question, and we will get back to you as soon as we can.',
    { group: 'worktime', label: 'Off-hours text', help: 'Auto-reply outside working hours.', multiline: true },
  ),
  enumeration('CLOSE_RULE', RULE_VALUES, 'text', 'none', {
    group: 'close',
    label: 'On closing',
    help: 'What happens when the operator closes the conversation.',
    valueLabels: RULE_LABELS,
  }),
  formId('CLOSE_FORM_ID', {
    group: 'close',
    label: 'Closing CRM form',
    help: 'CRM form (no forms exist here: always 0).',
  }),
  int('CLOSE_BOT_ID', 0, { group: 'close', label: 'Closing bot', help: 'Chat-bot for the closing scenario.' }),
  text('CLOSE_TEXT', 'Thank you for doing business with us.', {
    group: 'close',
    label: 'Closing text',
    help: 'Message sent when the conversation closes.',
    multiline: true,
  }),
  int('FULL_CLOSE_TIME', 10, {
    group: 'close',
    label: 'Full close time',
    help: 'Minutes from the operator closing to the final close. Negative values are ignored.',
    min: 0,
    outOfRange: 'ignore',
    unit: 'minutes',
  }),
  enumeration('AUTO_CLOSE_RULE', RULE_VALUES, 'none', 'none', {
    group: 'autoClose',
    label: 'On auto-close',
    help: 'What happens when the conversation closes automatically.',
    valueLabels: RULE_LABELS,
  }),
  formId('AUTO_CLOSE_FORM_ID', {
    group: 'autoClose',
    label: 'Auto-close CRM form',
    help: 'CRM form (no forms exist here: always 0).',
  }),
  int('AUTO_CLOSE_BOT_ID', 0, { group: 'autoClose', label: 'Auto-close bot', help: 'Chat-bot for auto-close.' }),
  int('AUTO_CLOSE_TIME', 14_400, {
    group: 'autoClose',
    label: 'Auto-close time',
    help: 'Seconds of client inactivity before the conversation closes. Negative values are ignored.',
    min: 0,
    outOfRange: 'ignore',
    unit: 'seconds',
  }),
  text('AUTO_CLOSE_TEXT', null, {
    group: 'autoClose',
    label: 'Auto-close text',
    help: 'Message sent on auto-close (no default: the reference has none).',
    multiline: true,
    source: 'reference-behaviour.md §2.2 (IMOL_CONFIG_AUTO_CLOSE_TEXT missing → null)',
  }),
  int('AUTO_EXPIRE_TIME', 86_400, {
    group: 'autoClose',
    label: 'Auto-closed session lifetime',
    help: 'Seconds an automatically closed session lives.',
    unit: 'seconds',
  }),
  {
    kind: 'date',
    name: 'DATE_CREATE',
    group: 'system',
    label: 'Created',
    help: 'When the line was created (ISO-8601).',
    source: 'DECISIONS.md DATE_CREATE/DATE_MODIFY',
    readOnly: true,
    column: 'created_at',
  },
  {
    kind: 'date',
    name: 'DATE_MODIFY',
    group: 'system',
    label: 'Modified',
    help: 'When the line was last changed (ISO-8601).',
    source: 'DECISIONS.md DATE_CREATE/DATE_MODIFY',
    readOnly: true,
    column: 'modified_at',
  },
  {
    kind: 'id',
    name: 'MODIFY_USER_ID',
    group: 'system',
    label: 'Last editor',
    help: 'User who last created or changed the line.',
    source: 'reference-behaviour.md §2.3',
    readOnly: true,
    column: 'modify_user_id',
  },
  yn('TEMPORARY', 'N', 'Y', {
    group: 'general',
    label: 'Temporary',
    help: 'A temporary line: deleted 8 hours after it was added, if still temporary.',
  }),
  text('XML_ID', null, {
    group: 'system',
    label: 'External ID',
    help: 'External identifier; not writable through REST.',
    maxLength: 255,
    source: 'reference-behaviour.md §2.1 "Never accepted from input"',
  }),
  text('LANGUAGE_ID', null, {
    group: 'general',
    label: 'Language',
    help: 'Two-letter language code; longer values keep their first 2 characters.',
    maxLength: 2,
    truncateTo: 2,
    source: 'reference-behaviour.md §2.1 (mb_substr 2)',
  }),
  int('QUICK_ANSWERS_IBLOCK_ID', null, {
    group: 'general',
    label: 'Quick answers storage',
    help: 'Info-block holding canned replies; not set unless sent.',
  }),
  int('SESSION_PRIORITY', 0, {
    group: 'queue',
    label: 'Session priority',
    help: "Line priority in the operators' list, clamped to 0..86400.",
    min: 0,
    max: 86_400,
  }),
  enumeration('TYPE_MAX_CHAT', ['answered', 'answered_new', 'closed'], 'answered', 'answered_new', {
    group: 'queue',
    label: 'How the limit counts',
    help: 'Which conversations count against MAX_CHAT.',
    valueLabels: { answered: 'Answered', answered_new: 'Answered and new', closed: 'Until closed' },
  }),
  int('MAX_CHAT', 0, {
    group: 'queue',
    label: 'Max conversations per operator',
    help: 'Simultaneous conversations per operator; 0 means unlimited, negative values become 0.',
    min: 0,
  }),
  enumeration('OPERATOR_DATA', ['profile', 'queue', 'hide'], 'profile', 'profile', {
    group: 'queue',
    label: 'Operator shown as',
    help: 'What the client sees about the operator.',
    valueLabels: { profile: "The operator's profile", queue: 'Per-queue data', hide: 'Hidden (default data)' },
  }),
  {
    kind: 'operatorData',
    name: 'DEFAULT_OPERATOR_DATA',
    keys: ['NAME', 'AVATAR', 'AVATAR_ID'],
    group: 'queue',
    label: 'Default operator data',
    help: 'NAME, AVATAR (URL) and AVATAR_ID shown when the operator is hidden.',
    source: 'openlines-api.md §2.1 DEFAULT_OPERATOR_DATA',
  },
  int('KPI_FIRST_ANSWER_TIME', 0, {
    group: 'kpi',
    label: 'First answer target',
    help: 'Seconds allowed for the first answer (0: off).',
    min: 0,
    unit: 'seconds',
  }),
  yn('KPI_FIRST_ANSWER_ALERT', 'N', 'N', {
    group: 'kpi',
    label: 'First answer alert',
    help: 'Notify when the first-answer target is missed.',
  }),
  {
    kind: 'userList',
    name: 'KPI_FIRST_ANSWER_LIST',
    group: 'kpi',
    label: 'First answer alert recipients',
    help: 'User ids to notify.',
    source: 'DECISIONS.md KPI_*_LIST',
  },
  text('KPI_FIRST_ANSWER_TEXT', '#OPERATOR# exceeded maximum initial response time in conversation ##DIALOG#.', {
    group: 'kpi',
    label: 'First answer alert text',
    help: 'Alert text; #OPERATOR# and #DIALOG# are replaced. HTML is escaped.',
    htmlEscape: true,
  }),
  int('KPI_FURTHER_ANSWER_TIME', 0, {
    group: 'kpi',
    label: 'Further answer target',
    help: 'Seconds allowed for later answers (0: off).',
    min: 0,
    unit: 'seconds',
  }),
  yn('KPI_FURTHER_ANSWER_ALERT', 'N', 'N', {
    group: 'kpi',
    label: 'Further answer alert',
    help: 'Notify when the further-answer target is missed.',
  }),
  {
    kind: 'userList',
    name: 'KPI_FURTHER_ANSWER_LIST',
    group: 'kpi',
    label: 'Further answer alert recipients',
    help: 'User ids to notify.',
    source: 'DECISIONS.md KPI_*_LIST',
  },
  text('KPI_FURTHER_ANSWER_TEXT', '#OPERATOR# exceeded maximum response time in conversation ##DIALOG#.', {
    group: 'kpi',
    label: 'Further answer alert text',
    help: 'Alert text; #OPERATOR# and #DIALOG# are replaced. HTML is escaped.',
    htmlEscape: true,
  }),
  yn('KPI_CHECK_OPERATOR_ACTIVITY', 'N', 'N', {
    group: 'kpi',
    label: 'Monitor operator activity',
    help: 'Monitor operator activity.',
  }),
  {
    kind: 'yn',
    name: 'SEND_NOTIFICATION_EMPTY_QUEUE',
    default: 'N',
    otherwise: 'N',
    group: 'system',
    label: 'Notify on empty queue',
    help: 'Printed by get and list; not writable through REST.',
    source: 'openlines-api.md §2.1',
    readOnly: true,
  },
  yn('USE_WELCOME_FORM', 'N', 'N', {
    group: 'forms',
    label: 'Welcome CRM form',
    help: 'Show a welcome CRM form. No preset form exists here, so on add it needs WELCOME_FORM_ID in the same request.',
    source: 'reference-behaviour.md §2.1 "Limited features" (no active imol_reg form → N)',
    sameRequest: { field: 'WELCOME_FORM_ID', equals: '*', otherwise: 'N', onlyForValues: ['Y'], addOnly: true },
  }),
  int('WELCOME_FORM_ID', null, { group: 'forms', label: 'Welcome form ID', help: 'CRM web-form identifier.' }),
  yn('WELCOME_FORM_DELAY', 'Y', 'N', {
    group: 'forms',
    label: 'Delay the welcome form',
    help: 'Show the form with a delay.',
  }),
  yn('SEND_WELCOME_EACH_SESSION', 'N', 'N', {
    group: 'welcome',
    label: 'Greet every session',
    help: 'Greet in every new session, not just the first.',
  }),
  yn('CONFIRM_CLOSE', 'N', 'N', {
    group: 'close',
    label: 'Confirm closing',
    help: 'Ask for confirmation before closing.',
  }),
  yn('IGNORE_WELCOME_FORM_RESPONSIBLE', 'N', 'N', {
    group: 'forms',
    label: 'Ignore the form responsible',
    help: 'Ignore the responsible person set by the welcome form.',
  }),
] as const satisfies readonly FieldDescriptor[];

/** One catalogue field with its literal name, values and default (the source of the typed LineValues). */
export type LineField = (typeof CATALOGUE)[number];

export const LINE_FIELDS: readonly FieldDescriptor[] = CATALOGUE;

/** Input keys that are not fields but are read by add/update (queue.ts): the queue and per-operator overrides. */
export const QUEUE_INPUTS: readonly QueueInputDescriptor[] = [
  {
    name: 'QUEUE',
    group: 'queue',
    label: 'Queue',
    help: 'The operators of the line, in distribution order.',
    accepts:
      'array of `{"ENTITY_TYPE": "user"|"department", "ENTITY_ID": id > 0}` (or a PHP map index → entry); on add also plain user ids (`[1, 5]`)',
    whenAbsent: 'the caller',
    printed: '`["1"]` (the caller)',
    expansion:
      'A user becomes an operator; a department brings its active members and those of its sub-departments. Queue order is kept, a user listed twice is kept once. get prints the active operators (online ones only with `SHOW_OFFLINE=N`) as `QUEUE` (ids as strings), `QUEUE_FULL` and `QUEUE_USERS_FIELDS` (maps by user id) and `QUEUE_ONLINE`; list.get prints `QUEUE` with `OPTIONS.QUEUE=Y` and the entries as configured as `CONFIG_QUEUE` with `OPTIONS.CONFIG_QUEUE=Y`. On update, `QUEUE` not sent keeps the queue; sent, it replaces it.',
    errors:
      'An unknown, inactive or extranet user or an unknown department is dropped with a warning. Add: an entry in neither form is dropped with a warning too; a queue with no valid entry left makes the caller the only operator (warning); a department without members stays configured. Update: an entry not in object form, an empty or non-array queue, or one that expands to nobody answers `false` and changes nothing. Strict: each of these is `400 ERROR_ARGUMENT` naming `QUEUE`.',
    source: 'reference-behaviour.md §2.3–2.5 (QueueManager::compatibleUpdate/update, Config::update); DECISIONS.md',
  },
  {
    name: 'QUEUE_USERS_FIELDS',
    group: 'queue',
    label: 'Operator display data',
    help: 'Per-line name, position and avatar of an operator, instead of the directory entry.',
    accepts:
      'object keyed by user id: `{"1": {"USER_NAME", "USER_WORK_POSITION", "USER_AVATAR", "USER_AVATAR_ID"}}`; texts cut to 255 characters',
    whenAbsent: 'none (the directory entry)',
    printed: '`{"1": {"USER_NAME": …}}`',
    expansion:
      "Applies to the operators of the queue set in the same request. get prints, per operator, the override where set and the directory's full name, work position and avatar otherwise. On update, `QUEUE` sent without it keeps the overrides of the operators who stay.",
    errors:
      'A value that is not an object, or an entry that is not a user id with an object, is ignored with a warning; on update without `QUEUE` it is ignored with a warning. Strict: `400 ERROR_ARGUMENT` naming `QUEUE_USERS_FIELDS`.',
    source: 'reference-behaviour.md §2.4, §3 (QueueManager::update); docs/decisions.md',
  },
];
export const QUEUE_INPUT_KEYS: readonly string[] = QUEUE_INPUTS.map((input) => input.name);
/** Legacy names the reference silently ignores (openlines-api.md §2.1, DOC-OLD only). */
export const LEGACY_IGNORED_KEYS = ['TIMEMAN', 'CHECK_ONLINE', 'CHECKING_OFFLINE', 'SKIP_MODIFY_MARK'] as const;

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDescriptor> = new Map(LINE_FIELDS.map((f) => [f.name, f]));

export const WRITABLE_FIELDS: readonly FieldDescriptor[] = LINE_FIELDS.filter((f) => !f.readOnly);

export const FIELD_GROUPS: readonly { id: FieldGroup; label: string }[] = [
  { id: 'general', label: 'General' },
  { id: 'queue', label: 'Queue and distribution' },
  { id: 'crm', label: 'CRM' },
  { id: 'welcome', label: 'Greeting and welcome bot' },
  { id: 'worktime', label: 'Working hours' },
  { id: 'noAnswer', label: 'No answer' },
  { id: 'close', label: 'Closing' },
  { id: 'autoClose', label: 'Auto-close' },
  { id: 'vote', label: 'Rating' },
  { id: 'kpi', label: 'KPI' },
  { id: 'forms', label: 'CRM forms' },
  { id: 'system', label: 'System' },
];
