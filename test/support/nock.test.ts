import nock from 'nock';
import { assertNockDone, useNock } from './nock.js';

describe('nock helper', () => {
  useNock();

  it('blocks real network calls to hosts that are not mocked', async () => {
    await expect(fetch('https://api.github.com/zen')).rejects.toThrow();
  });

  it('lets a mocked request through and is satisfied when every mock was called', async () => {
    nock('https://api.github.com').get('/zen').reply(200, 'Keep it logically awesome.');

    const response = await fetch('https://api.github.com/zen');

    expect(await response.text()).toBe('Keep it logically awesome.');
    expect(() => assertNockDone()).not.toThrow();
  });

  it('fails a test that left a mock uncalled, naming the request', () => {
    nock('https://api.github.com').post('/repos/o/r/issues/1/comments').reply(201, {});

    expect(() => assertNockDone()).toThrow(
      /never made:\n\s+POST https:\/\/api.github.com:443\/repos\/o\/r\/issues\/1\/comments/,
    );
    expect(nock.pendingMocks()).toEqual([]);
  });
});
