// The committed bundle (action/dist/index.js) is what action.yml runs, so it must be what the sources build
// to today: esbuild is deterministic, so a rebuild into a temp dir must match it byte for byte.
import { checkActionBundle } from '../../scripts/build-action.js';

describe('action/dist/index.js', () => {
  it('matches a fresh build of src/action (run `npm run build:action` when this fails)', async () => {
    expect(await checkActionBundle()).toBeUndefined();
  });
});

describe('the Action bundle', () => {
  it('leaves out the dev doubles (src/dev) and their OpenAPI description', async () => {
    const { readFile } = await import('node:fs/promises');
    const { ACTION_BUNDLE } = await import('../../scripts/build-action.js');
    const bundle = await readFile(ACTION_BUNDLE, 'utf8');
    expect(bundle).toContain('// src/action/run-action.ts');
    expect(bundle).not.toMatch(/^\/\/ (src\/dev\/|test\/|node_modules\/@octokit\/openapi\/)/m);
  });
});
