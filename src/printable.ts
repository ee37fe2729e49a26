// A bad input, shown in the error message about it.
/**
 * `value` as a short text for an error message, whatever it is: primitives as `String` gives them (NaN stays NaN),
 * objects and arrays as JSON. Never throws, since the value is often the bad input itself: an object from a hostile
 * file (`{"toString": []}` makes `String(value)` and template literals throw), a cycle, a BigInt inside.
 */
export function printable(value: unknown, max = 60): string {
  let s: string;
  if (typeof value !== 'object' || value === null) s = String(value);
  else {
    try {
      s = JSON.stringify(value) ?? 'an object';
    } catch {
      s = Array.isArray(value) ? `an array of ${value.length}` : 'an object';
    }
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
