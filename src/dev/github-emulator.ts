// Single entry for the local GitHub emulator (the lead merges it into src/dev/index.ts).
export * from './github-emulator/index.js';
