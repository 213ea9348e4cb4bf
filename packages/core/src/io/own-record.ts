/**
 * Sets `record[key] = value` as an own property even for keys such as "__proto__", which a
 * plain assignment would turn into a prototype change. File keys are untrusted input.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Entries of a Record or a Map, in insertion order. */
export function entriesOf<T>(x: Record<string, T> | Map<string, T>): [string, T][] {
  return x instanceof Map ? [...x] : Object.entries(x);
}
