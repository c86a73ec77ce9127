// Context rules: credentials in URLs and connection strings, Authorization headers, and high-entropy values
// assigned to secret-like names in code, YAML, JSON, .env and shell. Placeholders and references are skipped.
import type { Rule, Span } from '../types.js';
import { characterClasses, isPlaceholder, shannonEntropy } from '../text-stats.js';
import { decodeBase64, generic } from './define-rule.js';

const DATABASE_SCHEMES = new Set([
  'postgres',
  'postgresql',
  'pg',
  'mysql',
  'mysqlx',
  'mariadb',
  'mssql',
  'sqlserver',
  'oracle',
  'cockroachdb',
  'clickhouse',
  'db2',
  'snowflake',
  'cassandra',
  'neo4j',
  'couchdb',
  'influxdb',
]);
const URL_FAMILIES: Record<string, (scheme: string) => boolean> = {
  'database-connection-string': (scheme) => DATABASE_SCHEMES.has(scheme.replace(/\+.*$/, '')),
  'mongodb-connection-string': (scheme) => scheme === 'mongodb' || scheme === 'mongodb+srv',
  'redis-connection-string': (scheme) => scheme === 'redis' || scheme === 'rediss',
  'amqp-connection-string': (scheme) => scheme === 'amqp' || scheme === 'amqps',
  'url-credentials': () => true,
};
const URL_CREDENTIALS = /:\/\/([^\s:/?#@'"`<>()[\]{}]{1,100}):([^\s/?@'"`<>]{1,200})@[A-Za-z0-9[]/g;

/** True when a password is a template, a mask or a stock word, or just repeats the user name. */
function isFakePassword(user: string, password: string): boolean {
  if (password.length < 4 || isPlaceholder(password) || password === user || isWordy(password))
    return true;
  if (/pass(?:word|wd)?|secret|pwd/i.test(password)) return true;
  if (/^[A-Z_]+$/.test(password) && password.length > 3) return true; // PASSWORD, DB_PASS: a variable name
  return /^(?:pass|pw|pwd|secret|user|username|login|name)\d?$/i.test(password);
}

function urlCredentials(family: string): (text: string) => Iterable<Span> {
  const inFamily = URL_FAMILIES[family]!;
  const claimedByOthers = Object.entries(URL_FAMILIES).filter(
    ([name]) => name !== family && name !== 'url-credentials',
  );
  return function* scan(text) {
    for (const match of text.matchAll(URL_CREDENTIALS)) {
      const schemeMatch = /([A-Za-z][A-Za-z0-9+.-]{0,30})$/.exec(
        text.slice(Math.max(0, match.index - 31), match.index),
      );
      if (schemeMatch === null) continue;
      const scheme = schemeMatch[1]!.toLowerCase().replace(/^jdbc:/, '');
      if (!inFamily(scheme)) continue;
      if (family === 'url-credentials' && claimedByOthers.some(([, test]) => test(scheme)))
        continue;
      const user = match[1]!;
      const password = match[2]!;
      if (isFakePassword(user, password)) continue;
      const start = match.index + 3 + user.length + 1;
      yield { start, end: start + password.length };
    }
  };
}

const urlRule = (id: string, description: string, keywords: readonly string[]): Rule =>
  generic({ id, description, keywords, scan: urlCredentials(id), boundary: false });

/** Code, not a value: member chains, type names, operators (`u?.token ?? 0`, `CommentOrToken`, `this.#secret`). */
function looksLikeCode(value: string): boolean {
  if (/^[([{]/.test(value) || /[=!]=|&&|\|\||\?\?|\?\.|=>|!\.|\$\{/.test(value)) return true;
  const bare = value.replace(/^[!?@#&*^~]+/, '').replace(/[;,]$/, '');
  if (/^[A-Za-z_$#][\w$#]*(?:(?:\.|::|->)[A-Za-z_$#][\w$#]*)+(?:\(\))?$/.test(bare)) return true;
  if (/^(?:[A-Z]+[a-z]+[0-9$]*){2,}[A-Z]{0,5}$/.test(bare)) return true; // PascalCase type or class names
  if (/^[a-z]+(?:[A-Z]+[a-z]+[0-9$]*)+$/.test(bare)) return true; // camelCase identifiers
  return false;
}

/** Words with at most a short number (`secret123`, `real-secret-6-levels`, `ACCESS_TOKEN`): not credentials. */
function isWordy(value: string): boolean {
  const parts = value.split(/[-_. ]+/).filter((part) => part !== '');
  const separated = parts.length > 1;
  return parts.every(
    (part) =>
      /^[A-Za-z][a-z]*[0-9]{0,6}$/.test(part) ||
      /^[0-9]{1,6}$/.test(part) ||
      (separated && /^[A-Z]+[0-9]{0,4}$/.test(part)),
  );
}

/** A credential value that looks random enough to be real: not a placeholder, a reference, code or words. */
function looksSecret(value: string, minLength: number, minEntropy: number): boolean {
  if (value.length < minLength || isPlaceholder(value)) return false;
  if (/^(?:true|false|null|none|nil|undefined|yes|no|on|off)$/i.test(value)) return false;
  if (/^[0-9.,_-]+$/.test(value) && value.length < 24) return false; // numbers, versions, timeouts
  if (isWordy(value.replace(/^[!?@#&*^~]+/, '')) || looksLikeCode(value)) return false;
  if (/pass(?:word|wd)|secret/i.test(value)) return false; // "mysecretpassword", "password-for-30001"

  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value)) return false; // paths to key files are not keys
  if (
    /^[\w.-]+(?:\/[\w.-]+)*\.(?:[cm]?[jt]sx?|json|md|txt|html?|css|ya?ml|pem|key|crt|p12|env|sh|py|rb|go|png|svg|lock)$/i.test(
      value,
    )
  ) {
    return false;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false; // URLs belong to the URL rules
  return shannonEntropy(value) >= minEntropy && characterClasses(value) >= 2;
}

const NAME_CORE =
  'pass(?:word|wd|phrase|(?![a-z]))|pwd|secret|token|api[_.-]?key|apikey|access[_.-]?key|auth[_.-]?(?:key|token)|private[_.-]?key|client[_.-]?secret|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key|credentials?';
const NOT_A_SECRET_NAME =
  /(?:^|[_.-]|[a-z])(?:id|ids|name|names|type|types|url|uri|path|file|filename|dir|length|len|size|count|field|label|prefix|header|endpoint|expires?|expiry|expiration|ttl|timeout|policy|provider|method|mode|format|regex|pattern|placeholder|hint|prompt|required|enabled|store|manager|service|class|kind|version|index|env|var|param|attr|selector|input|reset|min|max|rules?|validator|strength|location|source|cache|generator|helper|response|request|error|message|msg|text|description|desc|title|link|button|icon|color|count|limit|usage|budget|char|chars|start|end|pos|position|key_?id|fingerprint|hash_?alg|algorithm|lifetime|duration|schema|spec|ref|reference|list|map|set|array|option|options)$|tokeniz|author|secretary/i;
const ASSIGNMENT = new RegExp(
  `(${NAME_CORE})([\\w.-]{0,24})["'\\]]?[ \\t]{0,4}(?::=|=>|\\?\\?=|\\|\\|=|=(?!=)|:(?!:))[ \\t]{0,4}(?:"([^"\\\\\\s]{6,200})"|'([^'\\\\\\s]{6,200})'|\`([^\`\\\\\\s$]{6,200})\`|([^\\s"'\`,;)\\]}<>\\\\]{6,200}))`,
  'gi',
);

/** `password = "…"`, `API_TOKEN: …`, `"client_secret": "…"`: the value's span when it looks like a secret. */
function assignments(kind: 'password' | 'secret'): (text: string) => Iterable<Span> {
  return function* scan(text) {
    for (const match of text.matchAll(ASSIGNMENT)) {
      const core = match[1]!.toLowerCase();
      const isPasswordName = /^(?:pass|pwd)/.test(core);
      if (isPasswordName !== (kind === 'password')) continue;
      const name = core + match[2]!.toLowerCase();
      if (NOT_A_SECRET_NAME.test(name)) continue;
      const before = text[match.index - 1];
      if (before !== undefined && /[a-z]/.test(before) && /^[a-z]/.test(match[1]!)) {
        // "bypassword", "mytoken" is fine but "tokens" prefixed by letters like "csrftoken" is also a name; keep
        // only names whose secret word starts a word or follows a separator or an uppercase run.
        if (!/[_.-]/.test(text.slice(Math.max(0, match.index - 12), match.index))) continue;
      }
      // Inside a URL's user-info (https://x-access-token:…@host) the URL rules own the match.
      if (/:\/\/[^\s/'"`]*$/.test(text.slice(Math.max(0, match.index - 60), match.index))) continue;
      const value = match[3] ?? match[4] ?? match[5] ?? match[6] ?? '';
      const bare = match[6] !== undefined;
      const after = text[match.index + match[0].length];
      if (bare && (after === '(' || /^[A-Za-z_$][\w$.]*[[(]/.test(value))) continue; // a call or an index: getToken(), env['X']
      const ok = isPasswordName ? looksSecret(value, 8, 2.5) : looksSecret(value, 12, 3.0);
      if (!ok) continue;
      const end = match.index + match[0].length - (bare ? 0 : 1);
      yield { start: end - value.length, end };
    }
  };
}

function isBasicCredential(encoded: string): boolean {
  const decoded = decodeBase64(encoded);
  const colon = decoded.indexOf(':');
  if (colon <= 0 || /[^\x20-\x7e]/.test(decoded)) return false;
  return !isFakePassword(decoded.slice(0, colon), decoded.slice(colon + 1));
}

const SECRET_NAME = new RegExp(`^[\\w.-]{0,24}(?:${NAME_CORE})[\\w.-]{0,24}$`, 'i');

/** A secret-looking value whose name (in an XML tag, a call, a CLI flag) is a secret-like name. */
function namedValue(name: string, value: string): boolean {
  if (!SECRET_NAME.test(name) || NOT_A_SECRET_NAME.test(name.toLowerCase())) return false;
  return /pass|pwd/i.test(name) ? looksSecret(value, 8, 2.5) : looksSecret(value, 12, 3.0);
}

function namedScan(pattern: RegExp): (text: string) => Iterable<Span> {
  return function* scan(text) {
    for (const match of text.matchAll(pattern)) {
      const name = match[1]!;
      const value = match[2]!;
      if (!namedValue(name, value)) continue;
      const end = match.index + match[0].length - (match[3]?.length ?? 0);
      yield { start: end - value.length, end };
    }
  };
}

/** `<password>…</password>`, `<add key="ApiToken" value="…"/>` */
const XML_ELEMENT = /<([\w.:-]{2,40})>([^<>\s]{6,200})(<\/\1>)/g;
const XML_KEY_VALUE = /<add\s+(?:key|name)="([\w.:-]{2,40})"\s+value="([^"\s]{6,200})(")/gi;
/** `setPassword("…")`, `define('DB_PASSWORD', '…')`, `os.Setenv("API_TOKEN", "…")` */
const CALL_ARGUMENT =
  /(?:set|with|define|setenv|putenv|Setenv|put|add)(?:_?([A-Za-z]{0,30}(?:Password|Passwd|Secret|Token|ApiKey|Credential)[A-Za-z]{0,30}))?\(\s{0,4}(?:["']([\w.-]{2,40})["']\s{0,4},\s{0,4})?["']([^"'\s]{6,200})["']\s{0,4}\)/g;
/** `--password hunter2X!`, `--api-token=…`, `-Dsecret.key=…` */
const CLI_FLAG = /-{1,2}([\w.-]{2,40})(?:=|[ \t]{1,4})["']?([^\s"'`|;&<>]{6,200})/g;
/** `machine host login user password secret` in a .netrc */
const NETRC = /\bmachine[ \t]+\S{1,200}[ \t]+login[ \t]+\S{1,200}[ \t]+password[ \t]+(\S{4,200})/g;

function* callArguments(text: string): Iterable<Span> {
  for (const match of text.matchAll(CALL_ARGUMENT)) {
    const before = text[match.index - 1];
    if (before !== undefined && /[A-Za-z0-9_]/.test(before)) continue; // "reset(" is not "set("
    const name = match[1] ?? match[2];
    const value = match[3]!;
    if (name === undefined || !namedValue(name, value)) continue;
    const end = match.index + match[0].lastIndexOf(value) + value.length;
    yield { start: end - value.length, end };
  }
}

function* cliFlags(text: string): Iterable<Span> {
  for (const match of text.matchAll(CLI_FLAG)) {
    const name = match[1]!;
    const value = match[2]!;
    const before = text[match.index - 1];
    if (before !== undefined && !/\s/.test(before)) continue; // a flag starts a word: " --token x"
    if (value.startsWith('-') || !namedValue(name, value)) continue;
    const end = match.index + match[0].length;
    yield { start: end - value.length, end };
  }
}

function* netrc(text: string): Iterable<Span> {
  for (const match of text.matchAll(NETRC)) {
    const value = match[1]!;
    if (isFakePassword('', value)) continue;
    const end = match.index + match[0].length;
    yield { start: end - value.length, end };
  }
}

export const GENERIC_RULES: readonly Rule[] = [
  urlRule(
    'database-connection-string',
    'SQL database URL with a password (postgres, mysql, mssql, …)',
    ['://'],
  ),
  urlRule('mongodb-connection-string', 'MongoDB connection string with a password', ['mongodb']),
  urlRule('redis-connection-string', 'Redis URL with a password', ['redis']),
  urlRule('amqp-connection-string', 'AMQP (RabbitMQ) URL with a password', ['amqp']),
  urlRule('url-credentials', 'Any other URL with user:password@ (http, https, ftp, smtp, git, …)', [
    '://',
  ]),
  generic({
    id: 'url-password-parameter',
    description: 'A password in a URL query or JDBC/ODBC connection string parameter',
    keywords: ['password=', 'pwd=', 'passwd='],
    pattern: /[?&;](?:password|passwd|pwd)=([^&;\s'"`<>]{6,200})/gi,
    group: 1,
    validate: (secret) => looksSecret(decodeURIComponentSafe(secret), 6, 2.5),
    boundary: false,
  }),
  generic({
    id: 'authorization-basic',
    description: 'Authorization: Basic credentials',
    keywords: ['basic'],
    pattern:
      /authorization["']?[ \t]{0,4}[:=,][ \t]{0,4}["'`]?Basic[ \t]{1,4}([A-Za-z0-9+/]{8,400}={0,2})/gi,
    group: 1,
    validate: isBasicCredential,
  }),
  generic({
    id: 'authorization-bearer',
    description: 'Authorization: Bearer (or token) credentials',
    keywords: ['bearer', 'token '],
    pattern:
      /authorization["']?[ \t]{0,4}[:=,][ \t]{0,4}["'`]?(?:Bearer|token)[ \t]{1,4}([A-Za-z0-9._~+/=-]{16,4000})/gi,
    group: 1,
    validate: (secret) => looksSecret(secret, 16, 3.0),
  }),
  generic({
    id: 'api-key-header',
    description: 'An API key sent in an X-API-Key style header',
    keywords: ['api-key', 'api-token', 'auth-token', 'subscription-key'],
    pattern:
      /(?:x-api-key|api-key|x-api-token|x-auth-token|ocp-apim-subscription-key)["']?[ \t]{0,4}[:=,][ \t]{0,4}["'`]?([A-Za-z0-9._~+/=-]{16,400})/gi,
    group: 1,
    validate: (secret) => looksSecret(secret, 16, 3.2),
  }),
  generic({
    id: 'curl-basic-auth',
    description: 'curl -u user:password on a command line',
    keywords: ['curl'],
    pattern:
      /curl\b[^\n]{0,200}?[ \t](?:-u|--user)[ \t]{1,4}["']?([^\s:"']{1,100}):([^\s"']{4,200})/g,
    group: 2,
    validate: (secret, text, start) => {
      const user =
        /([^\s:"']{1,100}):$/.exec(text.slice(Math.max(0, start - 101), start))?.[1] ?? '';
      return !isFakePassword(user, secret) && looksSecret(secret, 6, 2.3);
    },
    boundary: false,
  }),
  generic({
    id: 'docker-config-auth',
    description: 'A registry credential in a Docker config.json ("auth": base64 of user:password)',
    keywords: ['"auth"'],
    pattern: /"auth"[ \t]{0,4}:[ \t]{0,4}"([A-Za-z0-9+/]{12,400}={0,2})"/g,
    group: 1,
    validate: isBasicCredential,
  }),
  generic({
    id: 'xml-secret-element',
    description:
      'A secret-looking value in an XML element or <add key=… value=…/> named like a secret',
    keywords: ['</', 'value="'],
    scan: function* xml(text) {
      yield* namedScan(XML_ELEMENT)(text);
      yield* namedScan(XML_KEY_VALUE)(text);
    },
    boundary: false,
  }),
  generic({
    id: 'secret-call-argument',
    description:
      'A secret-looking literal passed to setPassword(), define("SECRET", …), Setenv(…) and the like',
    keywords: [
      'password(',
      'secret(',
      'token(',
      'apikey(',
      'credential(',
      'define(',
      'setenv(',
      'putenv(',
    ],
    scan: callArguments,
    boundary: false,
  }),
  generic({
    id: 'secret-cli-flag',
    description: 'A secret-looking value given to a --password, --token or --api-key style flag',
    keywords: [
      '-pass',
      '-pwd',
      '-secret',
      '-token',
      '-api-key',
      '-apikey',
      '-api_key',
      '-credential',
      '-key',
    ],
    scan: cliFlags,
    boundary: false,
  }),
  generic({
    id: 'netrc-password',
    description: 'A password in .netrc format (machine … login … password …)',
    keywords: ['machine'],
    scan: netrc,
    boundary: false,
  }),
  generic({
    id: 'generic-password',
    description: 'A password-like value assigned to a password-named key',
    keywords: ['pass', 'pwd'],
    scan: assignments('password'),
    boundary: false,
  }),
  generic({
    id: 'generic-secret',
    description: 'A high-entropy value assigned to a secret-, token- or key-named key',
    keywords: ['secret', 'token', 'key', 'credential'],
    scan: assignments('secret'),
    boundary: false,
  }),
];

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
