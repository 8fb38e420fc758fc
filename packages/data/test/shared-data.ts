import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `../shared/data` beside the repository clone (present in this workspace and in CI). */
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

/** True when the shared data folder (or one file in it) exists. */
export function hasSharedData(relative = ''): boolean {
  return existsSync(`${SHARED_DATA}${relative}`);
}
