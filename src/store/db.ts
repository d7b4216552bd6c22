import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** The database, or a transaction on it: what every repository function takes. */
export type Db = Kysely<Database>;
