// nock for unit tests of GitHub and model calls: no real network except loopback,
// and a test fails when a mock it set up was never called.
import nock from 'nock';

const isLoopback = (host: string) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);

/** Throws (failing the current test) when mocks are left uncalled; always clears them. */
export function assertNockDone(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) {
    throw new Error(`These mocked requests were never made:\n  ${pending.join('\n  ')}`);
  }
}

/** Jest wiring for a test file that uses nock. */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(isLoopback);
  });
  afterEach(() => {
    assertNockDone();
  });
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
    nock.activate();
  });
}
