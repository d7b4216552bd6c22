// A customer: the connector user behind a line's chat (the reference makes a Bitrix user with
// EXTERNAL_AUTH_ID 'imconnector' and XML_ID '<connector>|<user.id>'; runtime-connectors.md §1, §3.1).

/** The profile fields the connector sends with every message; each message overwrites them (§3.1). */
export interface CustomerProfile {
  readonly name: string;
  readonly lastName: string;
  readonly title: string;
  readonly email: string;
  readonly phone: string;
  readonly url: string;
  /** 'M' | 'F' | '' (user.gender male / female). */
  readonly gender: string;
  /** user.picture.url as sent; nothing is downloaded (DECISIONS.md "The line at work"). */
  readonly avatar: string;
}

export interface Customer extends CustomerProfile {
  readonly id: number;
  readonly connectorId: number;
  readonly externalId: string;
  readonly createdAt: string;
  readonly modifiedAt: string;
}
