/**
 * A parser for the tiny subset of Python literal syntax that .npy headers use
 * (`ast.literal_eval` of a dict with str keys, str / bool / int-tuple values).
 * @see https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
export type PyValue = string | number | boolean | null | PyValue[] | Map<string | number, PyValue>;

export function parsePythonLiteral(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at character ${i} of ${JSON.stringify(text)}`);
  };
  const skip = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[i] !== ch) fail(`expected '${ch}'`);
    i++;
  };
  // Parses `item (, item)* ,?` up to `close`; Python allows the trailing comma.
  const sequence = (close: string, item: () => void) => {
    skip();
    while (text[i] !== close) {
      item();
      skip();
      if (text[i] === ',') i++;
      else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      skip();
    }
    i++;
  };
  const value = (): PyValue => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const map = new Map<string | number, PyValue>();
      sequence('}', () => {
        const k = value();
        if (typeof k !== 'string' && typeof k !== 'number') fail('expected a str or int dict key');
        expect(':');
        map.set(k as string | number, value());
      });
      return map;
    }
    if (c === '(' || c === '[') {
      i++;
      const items: PyValue[] = [];
      sequence(c === '(' ? ')' : ']', () => items.push(value()));
      return items;
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') {
          i++;
          const e = text[i];
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e === '0' ? '\0' : e;
        } else s += text[i];
        i++;
      }
      if (text[i] !== c) fail('unterminated string');
      i++;
      return s;
    }
    const m = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(i));
    if (!m) return fail('expected a value');
    i += m[0].length;
    if (m[1] !== undefined) return Number(m[1]); // `3L`: Python 2 long, seen in old files
    return m[2] === 'True' ? true : m[2] === 'False' ? false : null;
  };
  const out = value();
  skip();
  if (i !== text.length) fail('unexpected trailing text');
  return out;
}
