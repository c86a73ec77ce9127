// Small measures of a candidate secret: Shannon entropy, character classes, and the placeholder test
// that keeps `changeme`, `xxxx`, `${PASSWORD}` and `<your-token>` from being reported.

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/** How many of lowercase, uppercase, digits and other characters occur. */
export function characterClasses(value: string): number {
  let classes = 0;
  if (/[a-z]/.test(value)) classes++;
  if (/[A-Z]/.test(value)) classes++;
  if (/[0-9]/.test(value)) classes++;
  if (/[^A-Za-z0-9]/.test(value)) classes++;
  return classes;
}

const PLACEHOLDER_WORDS =
  /example|placeholder|changeme|change[_-]me|your[_-]?(?:own|api|secret|token|key|pass)|dummy|sample|redacted|insert[_-]?|replace[_-]?me|fake|notreal|not[_-]a[_-]real|test[_-]?(?:key|token|secret|password)|<[^>]*>|\{\{|\$\{|\$\(|%\(|%s\b|\*{3,}|x{5,}|X{5,}|\.{3,}|0{8,}|(.)\1{7,}|01234567|12345678|23456789|abcdefgh|ABC-DEF1234ghIkl/i;

const PLACEHOLDER_EXACT = new Set([
  'password',
  'passwd',
  'pass',
  'secret',
  'token',
  'apikey',
  'changeme',
  'changeit',
  'hunter2',
  'letmein',
  'admin',
  'root',
  'test',
  'testing',
  'example',
  'foobar',
  'foo',
  'bar',
  'baz',
  'qwerty',
  'abc123',
  'abcdef',
  '123456',
  '12345678',
  '123456789',
  '1234567890',
  'undefined',
  'null',
  'none',
  'nil',
  'true',
  'false',
  'default',
  'required',
  'optional',
  'string',
  'empty',
  'mysecret',
  'mypassword',
  'secretkey',
  'supersecret',
  'yourpassword',
  'yoursecret',
  'yourtoken',
]);

/** True for values that are obviously not a real credential: templates, env references, masks and stock words. */
export function isPlaceholder(value: string): boolean {
  if (value.length === 0) return true;
  if (/^[$%]/.test(value) || /^@\w+@$/.test(value)) return true;
  if (PLACEHOLDER_WORDS.test(value)) return true;
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  return PLACEHOLDER_EXACT.has(folded) || folded.length === 0;
}
