import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../src/slugify.js';

test('lower-cases a one-word title', () => {
  assert.equal(slugify('Hello'), 'hello');
});

test('joins every word with a dash', () => {
  assert.equal(slugify('Hello big world'), 'hello-big-world');
});

test('drops punctuation', () => {
  assert.equal(slugify('Ready, set, go!'), 'ready-set-go');
});
