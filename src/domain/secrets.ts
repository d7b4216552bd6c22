// Secrets (webhook codes, tokens): generated random, stored only as a hash, compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random code of lower-case letters and digits, like a Bitrix24 webhook secret. */
export function generateCode(length = 16): string {
  const bytes = randomBytes(length * 2);
  let code = '';
  // Rejection sampling keeps every character equally likely.
  for (let i = 0; i < bytes.length && code.length < length; i++) {
    const b = bytes[i]!;
    if (b < 252) code += ALPHABET[b % 36];
  }
  return code.length === length ? code : generateCode(length);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
