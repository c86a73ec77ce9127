// Counts findings per exit and rule, for logs now and Prometheus metrics later; it never sees matched values.

/** Where redacted text was about to leave the process. */
export type RedactionExit = 'github-api' | 'push' | 'commit-message' | 'log' | 'transcript' | 'cli';

export interface RedactionEvent {
  exit: RedactionExit;
  rule: string;
  /** Where in the outgoing data: a request field (`body`, `comments[2].body`), a file, or `message`. */
  location: string;
  line: number;
  column: number;
}

export type FindingListener = (event: RedactionEvent) => void;

export class FindingCounter {
  private readonly counts = new Map<string, number>();

  /** A listener to pass as `onFinding`. */
  readonly record: FindingListener = (event) => {
    const key = `${event.exit}\u0000${event.rule}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  };

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  snapshot(): { exit: RedactionExit; rule: string; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [exit, rule] = key.split('\u0000') as [RedactionExit, string];
      return { exit, rule, count };
    });
  }
}
