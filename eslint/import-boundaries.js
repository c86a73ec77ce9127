// Keeps DESIGN.md's one-way import flow: app → jobs → (agent, workspace, github) → undercover → lib/config.
// Each src/ folder may import only the folders listed for it, and only through their index.ts.
import path from 'node:path';

const below = ['lib', 'config'];
const allowed = {
  lib: [],
  config: ['lib'],
  undercover: below,
  agent: ['undercover', ...below],
  workspace: ['undercover', ...below],
  github: ['undercover', ...below],
  jobs: ['agent', 'workspace', 'github', 'undercover', ...below],
  server: ['jobs', 'undercover', ...below],
  action: ['jobs', 'agent', 'workspace', 'github', 'server', 'undercover', ...below],
  dev: ['jobs', 'agent', 'workspace', 'github', 'server', 'undercover', ...below],
  app: ['jobs', 'github', 'server', 'undercover', ...below],
  cli: [
    'app',
    'action',
    'dev',
    'jobs',
    'agent',
    'workspace',
    'github',
    'server',
    'undercover',
    ...below,
  ],
};

/** The architectural area of a file under src/, or null outside src/. */
function areaOf(file, srcDir) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  const [first, ...rest] = rel.split(path.sep);
  if (rest.length === 0) return first.replace(/\.[cm]?[jt]s$/, '');
  return first;
}

export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the one-way import flow between src/ folders' },
    schema: [],
    messages: {
      layer:
        "'{{from}}' may not import from '{{to}}' (allowed: {{allowed}}). See docs/architecture.md.",
      index: "Import '{{to}}' through its index ('{{suggestion}}'), not its internals.",
      test: 'src/ must not import from test/.',
    },
  },
  create(context) {
    const file = context.filename;
    const srcDir = path.join(context.cwd, 'src');
    const from = areaOf(file, srcDir);
    if (from === null) return {};
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      if (target.startsWith(path.join(context.cwd, 'test') + path.sep)) {
        context.report({ node, messageId: 'test' });
        return;
      }
      const to = areaOf(target, srcDir);
      if (to === null || to === from) return;
      const permitted = allowed[from] ?? [];
      if (!permitted.includes(to)) {
        context.report({
          node,
          messageId: 'layer',
          data: { from, to, allowed: permitted.join(', ') || 'none' },
        });
        return;
      }
      const isTopFile = !path.relative(srcDir, target).includes(path.sep);
      const isIndex = path.basename(target).replace(/\.[cm]?[jt]s$/, '') === 'index';
      if (!isTopFile && !isIndex) {
        context.report({ node, messageId: 'index', data: { to, suggestion: `${to}/index.js` } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
