import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/data` beside the repository clone (present in this workspace and in CI). */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/**
 * True when the shared data folder (or one file in it) exists. Outside CI a missing file lets its tests skip;
 * under `CI=true` it throws, because CI always has `../shared` beside the clone and a silent skip would hide that
 * the real-data tests never ran. `optional` files (the non-commercial news sample) may be absent anywhere.
 */
export function hasSharedData(relative = '', options: { optional?: boolean } = {}): boolean {
  const present = existsSync(`${SHARED_DATA}${relative}`);
  if (!present && process.env.CI === 'true' && !options.optional) {
    throw new Error(`../shared/data/${relative} is missing: CI must run with ../shared beside the clone`);
  }
  return present;
}
