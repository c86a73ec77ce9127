// Leaf utilities shared by every folder: errors, logging.
export * from './errors.js';
export * from './logger.js';
