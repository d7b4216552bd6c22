// The connectors every portal lists before the custom ones (imconnector.list), as data. Order and codes:
// bitrix24-core-corp modules/imconnector lib/connector.php getListConnectorBase and lib/library.php ID_*; names:
// lang/en/lib/connector.php, "Live Chat" as the docs' imconnector.list example prints it (openlines-api.md §4.2).
// An international portal: the region-limited ones (avito, vkgroup, ok, olx) and the optional services (wechat,
// notifications, whatsappbyedna) are not listed, as the reference's region filter and service checks leave them
// out; their codes stay reserved. openlines runs none of these: their status on a line is never configured, and
// an application cannot configure them.

export interface BuiltinConnector {
  readonly code: string;
  readonly name: string;
}

export const BUILTIN_CONNECTORS: readonly BuiltinConnector[] = [
  { code: 'livechat', name: 'Live Chat' },
  { code: 'whatsappbytwilio', name: 'WhatsApp' },
  { code: 'viber', name: 'Viber' },
  { code: 'telegrambot', name: 'Telegram' },
  { code: 'imessage', name: 'Apple Messages for Business' },
  { code: 'facebook', name: 'Facebook' },
  { code: 'facebookcomments', name: 'Facebook: Comments' },
  { code: 'fbinstagramdirect', name: 'Instagram Direct' },
  { code: 'fbinstagram', name: 'Instagram Business' },
  { code: 'network', name: 'Bitrix24.Network' },
];

/** Codes of the reference's own connectors that are not listed here (region or service bound). */
const UNLISTED_RESERVED = ['avito', 'vkgroup', 'ok', 'olx', 'wechat', 'notifications', 'whatsappbyedna'];

const LISTED = new Set(BUILTIN_CONNECTORS.map((c) => c.code));
const RESERVED = new Set([...LISTED, ...UNLISTED_RESERVED]);

/** A connector imconnector.list shows without any application registering it. */
export function isBuiltinConnector(code: string): boolean {
  return LISTED.has(code);
}

/** A code an application may not register: one of the reference's own connectors. */
export function isReservedConnectorCode(code: string): boolean {
  return RESERVED.has(code);
}
