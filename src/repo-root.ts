/**
 * The repository's root folder, found from wherever the running code lives.
 *
 * Why not a fixed `../..` from `import.meta.url`: the same module runs from its source file
 * (`src/…`, under tsx or vitest) and bundled into `dist/daemon.mjs` (`npm start`, see
 * package.json `prestart`), where `import.meta.url` is the bundle's URL. Walking up to the
 * nearest `package.json` named {@link PACKAGE_NAME} works from both.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's `name` in its package.json. */
export const PACKAGE_NAME = 'actor-exec-engine';

/** The `name` of the package.json in `dir`, or undefined when there is none (or it is unreadable). */
function packageNameIn(dir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string') return parsed.name;
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

/**
 * The absolute path of the nearest folder at or above `start` holding a package.json whose
 * name is {@link PACKAGE_NAME}.
 * @param start an absolute folder path; default: the folder of the running module (`src/` or `dist/`)
 * @throws Error when no such folder exists up to the file system's root
 */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; ) {
    if (packageNameIn(dir) === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json named ${PACKAGE_NAME} at or above ${start}`);
    dir = parent;
  }
}

/** The repository's root folder (absolute), resolved once at load. */
export const REPO_ROOT: string = findRepoRoot();
