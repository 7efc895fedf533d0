import { createHash, randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';

/** An agent's token as listed (never the token itself). */
export type TokenEntry = { id: number; user: string; created_at: string; revoked: boolean };

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Bearer tokens of a team server's agents: each maps to a user; only hashes are stored. */
export class TokenRepo {
  private readonly insertRow;
  private readonly userByHash;
  private readonly allRows;
  private readonly revokeRows;

  constructor(db: Database) {
    this.insertRow = db.prepare<[string, string, number]>('INSERT INTO api_tokens (user, token_hash, created_at) VALUES (?, ?, ?)');
    this.userByHash = db.prepare<[string], { user: string }>('SELECT user FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL');
    this.allRows = db.prepare<[], { id: number; user: string; created_at: number; revoked_at: number | null }>(
      'SELECT id, user, created_at, revoked_at FROM api_tokens ORDER BY id',
    );
    this.revokeRows = db.prepare<[number, string]>('UPDATE api_tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL');
  }

  /** Creates a token for `user` and returns it: the only time it is ever shown. */
  add(user: string, nowMs: number): string {
    const token = randomBytes(24).toString('base64url');
    this.insertRow.run(user, hash(token), nowMs);
    return token;
  }

  /** The user a token belongs to, or null when it is unknown or revoked. */
  userOf(token: string): string | null {
    return this.userByHash.get(hash(token))?.user ?? null;
  }

  list(): TokenEntry[] {
    return this.allRows.all().map((row) => ({ id: row.id, user: row.user, created_at: new Date(row.created_at).toISOString(), revoked: row.revoked_at !== null }));
  }

  /** Revokes every token of `user`; returns how many. */
  revoke(user: string, nowMs: number): number {
    return this.revokeRows.run(nowMs, user).changes;
  }
}
