// Shared helpers of the CLI commands: settings from global flags, a store for one command, errors.

import type { Command } from 'commander';
import { DirectoryError, DirectoryService } from '../domain/directory/directory-service.js';
import { loadSettings, type Settings, SettingsError, type SettingsOverrides } from '../settings.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';

/** A usage or input error: printed without a stack, exit code 2. */
export class CliError extends Error {}

export function settingsOf(command: Command, extra: SettingsOverrides = {}): Settings {
  const globals = command.optsWithGlobals() as { data?: string; database?: string };
  try {
    return loadSettings(process.env, {
      ...(globals.data ? { data: globals.data } : {}),
      ...(globals.database ? { database: globals.database } : {}),
      ...extra,
    });
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.message);
    throw error;
  }
}

/** Runs one command against the store, with the portal bootstrapped, and closes it afterwards. */
export async function withDirectory<T>(
  command: Command,
  work: (directory: DirectoryService, store: Store, settings: Settings) => Promise<T>,
): Promise<T> {
  const settings = settingsOf(command);
  const store = await openStore(settings.databaseUrl);
  try {
    const directory = new DirectoryService(store);
    await directory.bootstrap(settings.portalName);
    return await work(directory, store, settings);
  } catch (error) {
    if (error instanceof DirectoryError) throw new CliError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    if (!/^\d{1,10}$/.test(value) || Number(value) <= 0) throw new CliError(`${name} must be a positive integer`);
    return Number(value);
  };
}

export function baseUrl(settings: Settings, scheme: 'http' | 'https'): string {
  if (settings.publicUrl) return settings.publicUrl;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  return `${scheme}://${host}:${scheme === 'http' ? settings.port : settings.httpsPort}`;
}
