// Turns a title into a URL slug: lower case, words joined by dashes, punctuation dropped.
export function slugify(title) {
  return title
    .trim()
    .toLowerCase()
    .replace(' ', '-')
    .replace(/[^a-z0-9-]/g, '');
}
