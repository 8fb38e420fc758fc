import { createHash, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a token (so comparisons are constant-time and length-independent). */
export function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of the bearer token (hashes make the lengths equal). */
export function authorized(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  return timingSafeEqual(digest(match[1] as string), expected);
}
