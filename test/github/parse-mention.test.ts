import { maskNonProse, parseMention } from '../../src/github/index.js';

describe('parseMention', () => {
  const cases: [string, string, ReturnType<typeof parseMention>][] = [
    [
      'plain instruction',
      '@claw fix the login bug',
      { command: 'instruction', instruction: 'fix the login bug' },
    ],
    [
      'mention mid-sentence',
      'Hey @claw, please add tests',
      { command: 'instruction', instruction: 'please add tests' },
    ],
    ['case-insensitive', '@CLAW do it', { command: 'instruction', instruction: 'do it' }],
    ['bare mention', '@claw', { command: 'instruction', instruction: '' }],
    ['review command', '@claw review', { command: 'review', instruction: '' }],
    [
      'review command with a note',
      '@claw review: focus on security',
      { command: 'review', instruction: 'focus on security' },
    ],
    ['stop command', '@claw stop', { command: 'stop', instruction: '' }],
    ['stop command with punctuation', '@claw stop!', { command: 'stop', instruction: '' }],
    [
      'reviewer is not review',
      '@claw reviewer notes are wrong',
      { command: 'instruction', instruction: 'reviewer notes are wrong' },
    ],
    [
      'the [bot] form of the mention',
      '@claw[bot] fix it',
      { command: 'instruction', instruction: 'fix it' },
    ],
    [
      'multi-line instruction',
      '@claw fix this\nand also that',
      { command: 'instruction', instruction: 'fix this\nand also that' },
    ],
    [
      'inline code in the instruction is kept',
      '@claw rename `foo()`',
      { command: 'instruction', instruction: 'rename `foo()`' },
    ],
    [
      'mention after a fenced block',
      '```\n@claw no\n```\n@claw yes',
      { command: 'instruction', instruction: 'yes' },
    ],
    ['longer word', '@clawbot fix it', null],
    ['hyphenated name', '@claw-dev fix it', null],
    ['email address', 'mail me at team@claw.dev', null],
    ['inside a path', 'see docs/@claw', null],
    ['inside inline code', 'type `@claw fix` to ask', null],
    ['inside double-backtick code', 'type ``@claw `x` fix`` to ask', null],
    ['inside a fenced block', '```\n@claw fix it\n```', null],
    ['inside a tilde fence', '~~~md\n@claw fix it\n~~~', null],
    ['inside an unclosed fence', 'text\n```\n@claw fix it', null],
    ['in a quote', '> @claw fix it\n\nI agree', null],
    ['in a nested quote', '> > @claw fix it', null],
    ['in an HTML comment', '<!-- @claw fix it -->', null],
    ['no mention at all', 'LGTM', null],
    ['empty body', '', null],
  ];

  it.each(cases)('%s', (_name, body, expected) => {
    expect(parseMention(body, '@claw')).toEqual(expected);
  });

  it('uses the configured phrase and accepts it without the @', () => {
    expect(parseMention('@helper fix it', 'helper')).toEqual({
      command: 'instruction',
      instruction: 'fix it',
    });
    expect(parseMention('@claw fix it', '@helper')).toBeNull();
    expect(parseMention('helper fix it', 'helper')).toBeNull();
  });

  it('keeps each phrase to its own pattern when phrases alternate (patterns are compiled once per phrase)', () => {
    const results = ['@claw', '@helper', '@claw', '@helper'].map((phrase) =>
      parseMention('@helper now', phrase),
    );

    expect(results).toEqual([
      null,
      { command: 'instruction', instruction: 'now' },
      null,
      { command: 'instruction', instruction: 'now' },
    ]);
  });

  it('handles null bodies (GitHub sends null for an empty review)', () => {
    expect(parseMention(null, '@claw')).toBeNull();
  });
});

describe('maskNonProse', () => {
  it('keeps offsets so positions map back to the original text', () => {
    const text = 'a `code` b\n> quote\n```\nfenced\n```\nend';

    const masked = maskNonProse(text);

    expect(masked).toHaveLength(text.length);
    expect(masked.split('\n')).toEqual(['a        b', '       ', '   ', '      ', '   ', 'end']);
  });

  it('returns plain prose unchanged, and still masks when a single marker character appears', () => {
    const prose = '@claw fix the failing test please\nthanks!';

    expect(maskNonProse(prose)).toBe(prose);
    expect(maskNonProse('a <!-- @claw --> b')).toBe(`a ${' '.repeat(14)} b`);
    expect(maskNonProse('~~~\n@claw\n~~~')).toBe('   \n     \n   ');
  });
});
