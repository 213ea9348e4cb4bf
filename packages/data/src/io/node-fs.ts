/** Node file access, imported lazily so that the package's other modules stay browser-safe. */
import { HeadsplatError } from '@headsplat/core';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

export async function nodeFs(fn: string): Promise<{ fs: Fs; path: Path }> {
  try {
    const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
    return { fs, path };
  } catch (e) {
    throw new HeadsplatError(`${fn}: reading and writing dataset folders needs Node's file system (${(e as Error).message})`);
  }
}

export async function exists(fs: Fs, p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** Reads a file, failing with a message that names the function, the frame and the path. */
export async function readBytes(fs: Fs, fn: string, what: string, p: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(p));
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new HeadsplatError(`${fn}: ${what} '${p}' must be a readable file, got ${code === 'ENOENT' ? 'a missing file' : (code ?? (e as Error).message)}`);
  }
}
