import { HeadsplatError } from '../errors.js';

/**
 * Every IO failure is a HeadsplatError whose message starts with the function name and,
 * where there is one, the tensor key, then says what was expected and what was found.
 */
export function ioFail(fn: string, what: string): never {
  throw new HeadsplatError(`${fn}: ${what}`);
}

/** Formats a tensor key for messages; JSON quoting shows stray whitespace or empty keys. */
export const keyStr = (key: string): string => JSON.stringify(key);
