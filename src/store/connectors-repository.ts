// Custom connectors and their bindings to lines: rows in, rows out, over a db or a transaction.

import { capabilitiesOf } from './capabilities.js';
import type { Db } from './db.js';
import type { ConnectorLineTable, ConnectorTable } from './schema.js';

export type ConnectorRow = Omit<ConnectorTable, 'id'> & { id: number };
export type ConnectorLineRow = ConnectorLineTable;

const connectorRow = (row: ConnectorRow): ConnectorRow => ({
  ...row,
  id: Number(row.id),
  app_id: Number(row.app_id),
});

export async function findConnectorByCode(db: Db, code: string): Promise<ConnectorRow | undefined> {
  const row = await db.selectFrom('connectors').selectAll().where('code', '=', code).executeTakeFirst();
  return row && connectorRow(row);
}

export async function findConnectorById(db: Db, id: number): Promise<ConnectorRow | undefined> {
  const row = await db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
  return row && connectorRow(row);
}

/** Every custom connector, in the order they were first registered. */
export async function listConnectors(db: Db): Promise<ConnectorRow[]> {
  const rows = await db.selectFrom('connectors').selectAll().orderBy('id').execute();
  return rows.map(connectorRow);
}

export async function insertConnector(db: Db, connector: Omit<ConnectorTable, 'id'>): Promise<number> {
  const row = await db.insertInto('connectors').values(connector).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updateConnector(
  db: Db,
  id: number,
  changes: Pick<ConnectorTable, 'name' | 'doc' | 'modified_at'>,
): Promise<void> {
  await db.updateTable('connectors').set(changes).where('id', '=', id).execute();
}

/** Deletes the connector and its bindings on every line; false when there was no such connector. */
export async function deleteConnector(db: Db, id: number): Promise<boolean> {
  await db.deleteFrom('connector_lines').where('connector_id', '=', id).execute();
  const result = await db.deleteFrom('connectors').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function findBinding(db: Db, connectorId: number, lineId: number): Promise<ConnectorLineRow | undefined> {
  const row = await db
    .selectFrom('connector_lines')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .where('line_id', '=', lineId)
    .executeTakeFirst();
  return row && { ...row, connector_id: Number(row.connector_id), line_id: Number(row.line_id) };
}

/** Switches the connector on for the line: active, no error; its DATA stays as it was. */
export async function activateBinding(db: Db, connectorId: number, lineId: number, stamp: string): Promise<void> {
  await db
    .insertInto('connector_lines')
    .values({
      connector_id: connectorId,
      line_id: lineId,
      active: 1,
      error: 0,
      data: null,
      created_at: stamp,
      modified_at: stamp,
    })
    .onConflict((oc) =>
      oc.columns(['connector_id', 'line_id']).doUpdateSet({ active: 1, error: 0, modified_at: stamp }),
    )
    .execute();
}

/** Switches the connector off for the line (the binding stays, inactive); false when there was no binding. */
export async function deactivateBinding(db: Db, connectorId: number, lineId: number, stamp: string): Promise<boolean> {
  const result = await db
    .updateTable('connector_lines')
    .set({ active: 0, modified_at: stamp })
    .where('connector_id', '=', connectorId)
    .where('line_id', '=', lineId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * The DATA of the connector on the line, with the binding row locked until the transaction ends (a
 * read-modify-write: concurrent data.set calls take turns). A missing binding is created first, inactive and
 * without DATA, so that there is a row to lock; a concurrent creator waits on the unique key.
 */
export async function lockBindingData(
  db: Db,
  connectorId: number,
  lineId: number,
  stamp: string,
): Promise<string | null> {
  await db
    .insertInto('connector_lines')
    .values({
      connector_id: connectorId,
      line_id: lineId,
      active: 0,
      error: 0,
      data: null,
      created_at: stamp,
      modified_at: stamp,
    })
    .onConflict((oc) => oc.columns(['connector_id', 'line_id']).doNothing())
    .execute();
  const row = await capabilitiesOf(db)
    .forUpdate(
      db
        .selectFrom('connector_lines')
        .select('data')
        .where('connector_id', '=', connectorId)
        .where('line_id', '=', lineId),
    )
    .executeTakeFirstOrThrow();
  return row.data;
}

export async function updateBindingData(
  db: Db,
  connectorId: number,
  lineId: number,
  data: string,
  stamp: string,
): Promise<void> {
  await db
    .updateTable('connector_lines')
    .set({ data, modified_at: stamp })
    .where('connector_id', '=', connectorId)
    .where('line_id', '=', lineId)
    .execute();
}

/** Disconnects the connector from the line (flags and DATA); false when it was not connected. */
export async function deleteBinding(db: Db, connectorId: number, lineId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('connector_lines')
    .where('connector_id', '=', connectorId)
    .where('line_id', '=', lineId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function deleteBindingsOfLine(db: Db, lineId: number): Promise<void> {
  await db.deleteFrom('connector_lines').where('line_id', '=', lineId).execute();
}

/** imconnector.set.error: the connector on the line is in error until it is activated again; false when not bound. */
export async function setBindingError(db: Db, connectorId: number, lineId: number, stamp: string): Promise<boolean> {
  const result = await db
    .updateTable('connector_lines')
    .set({ error: 1, modified_at: stamp })
    .where('connector_id', '=', connectorId)
    .where('line_id', '=', lineId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The connectors switched on for a line, with their owner application, in binding order. */
export async function connectorsOfLine(db: Db, lineId: number): Promise<{ code: string; appId: number }[]> {
  const rows = await db
    .selectFrom('connector_lines')
    .innerJoin('connectors', 'connectors.id', 'connector_lines.connector_id')
    .select(['connectors.code', 'connectors.app_id'])
    .where('connector_lines.line_id', '=', lineId)
    .orderBy('connectors.id')
    .execute();
  return rows.map((r) => ({ code: r.code, appId: Number(r.app_id) }));
}

/** The lines a connector is switched on for. */
export async function linesOfConnector(db: Db, connectorId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('connector_lines')
    .select('line_id')
    .where('connector_id', '=', connectorId)
    .orderBy('line_id')
    .execute();
  return rows.map((r) => Number(r.line_id));
}
