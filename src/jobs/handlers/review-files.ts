// Which files a review covers: `review.paths` and `review.ignore`, then, above `review.max_diff_lines`, the most
// important files (source before tests and docs, bigger changes first) until the limit is reached.
import picomatch from 'picomatch';
import type { ReviewConfig } from '../../config/index.js';
import type { ReviewFile } from '../../github/index.js';

export interface SelectedFiles {
  files: ReviewFile[];
  filtered: number;
  skippedForSize: string[];
}

const SECONDARY =
  /(^|\/)(test|tests|__tests__|spec|docs?|examples?|fixtures?)\/|\.(test|spec)\.[^/]+$|\.(md|txt|snap)$/i;

function weight(file: ReviewFile): number {
  return file.additions + file.deletions;
}

export function selectReviewFiles(
  files: readonly ReviewFile[],
  config: ReviewConfig,
): SelectedFiles {
  const include = config.paths.length === 0 ? () => true : picomatch(config.paths, { dot: true });
  const ignore = config.ignore.length === 0 ? () => false : picomatch(config.ignore, { dot: true });
  const wanted = files.filter(
    (file) => include(file.diff.path) && !ignore(file.diff.path) && !file.diff.binary,
  );
  const filtered = files.length - wanted.length;
  const total = wanted.reduce((sum, file) => sum + weight(file), 0);
  if (total <= config.max_diff_lines) return { files: wanted, filtered, skippedForSize: [] };
  const ranked = [...wanted].sort((a, b) => {
    const secondary = Number(SECONDARY.test(a.diff.path)) - Number(SECONDARY.test(b.diff.path));
    return secondary !== 0 ? secondary : weight(b) - weight(a);
  });
  const chosen: ReviewFile[] = [];
  const skippedForSize: string[] = [];
  let used = 0;
  for (const file of ranked) {
    if (chosen.length === 0 || used + weight(file) <= config.max_diff_lines) {
      chosen.push(file);
      used += weight(file);
    } else skippedForSize.push(file.diff.path);
  }
  return { files: chosen, filtered, skippedForSize };
}
