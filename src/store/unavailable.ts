// Errors that mean the store cannot be reached right now (not that the request was wrong): answered
// 503 STORE_UNAVAILABLE so that clients retry, wherever they surface (REST calls, rate admission, the token
// endpoint, the admin API). Found by the issue-8 tests that stop PostgreSQL under a running server.

/** Connection-level failures of either driver: network errors, PostgreSQL shutting down, SQLite busy. */
export function isStoreUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'SQLITE_BUSY', 'SQLITE_LOCKED'].includes(
        code,
      )
    ) {
      return true;
    }
    // PostgreSQL class 08 (connection exception), 57P01-57P03 (shutting down, crashed, not yet accepting).
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
  }
  // node-postgres reports a server that went away mid-query without a code.
  return (
    typeof message === 'string' &&
    /^(Connection terminated|Client has encountered a connection error and is not queryable)/.test(message)
  );
}
