// `zerodl search merge` for Node: the code is in merge.ts (browser-safe: its file reading imports Node lazily, so
// the chapter site merges the shards of a search split over Web Workers with it too).
export * from './merge.js';
