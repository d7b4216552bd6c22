// The seed page's request (seed-imopenlines-config-add.txt), as every official client sends it.

export const SEED_PARAMS = {
  LINE_NAME: 'Online Store Support Line',
  QUEUE: [
    { ENTITY_TYPE: 'user', ENTITY_ID: '1' },
    { ENTITY_TYPE: 'user', ENTITY_ID: '15' },
    { ENTITY_TYPE: 'user', ENTITY_ID: '23' },
  ],
  QUEUE_TYPE: 'strictly',
  QUEUE_TIME: 45,
  NO_ANSWER_TIME: 120,
  WELCOME_MESSAGE: 'Y',
  WELCOME_MESSAGE_TEXT: 'Hello! We will respond within a couple of minutes',
  CRM: 'Y',
  CRM_CREATE: 'deal',
  CRM_SOURCE: 'openline_web',
  CRM_FORWARD: 'Y',
  MAX_CHAT: 4,
  TYPE_MAX_CHAT: 'answered_new',
  WORKTIME_ENABLE: 'Y',
  WORKTIME_FROM: '09:00',
  WORKTIME_TO: '21:00',
  WORKTIME_TIMEZONE: 'Europe/Berlin',
  WORKTIME_DAYOFF: ['SA', 'SU'],
  WORKTIME_DAYOFF_RULE: 'text',
  WORKTIME_DAYOFF_TEXT: 'The line is currently closed. Please write, and we will respond during working hours',
} as const;

export const SEED = { PARAMS: SEED_PARAMS } as const;

export const TIME_KEYS = [
  'start',
  'finish',
  'duration',
  'processing',
  'date_start',
  'date_finish',
  'operating_reset_at',
  'operating',
] as const;
