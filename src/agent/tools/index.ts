// The tool set with Claude Code's names and input fields, and the helpers the loop uses to run them.
import { z } from 'zod';
import { bashTool } from './bash.js';
import { editTool } from './edit.js';
import { globTool } from './glob.js';
import { grepTool } from './grep.js';
import { lsTool } from './ls.js';
import { readTool } from './read.js';
import { taskTool } from './task.js';
import type { Tool } from './tool.js';
import { todoWriteTool } from './todo-write.js';
import { writeTool } from './write.js';
import type { ToolDefinition } from '../types.js';

export * from './tool.js';
export { resolveInWorktree, type ResolvedPath } from './resolve-path.js';
export { formatTodos, TodoItem } from './todo-write.js';
export { runGrep, chooseGrepBackend, type GrepBackend, type GrepInput } from './grep.js';
export { runBash, BASH_MAX_OUTPUT_CHARS, BASH_DEFAULT_TIMEOUT_MS } from './bash.js';
export { hasProgram } from './exec-capture.js';

export const TOOL_NAMES = [
  'Task',
  'Bash',
  'Glob',
  'Grep',
  'LS',
  'Read',
  'Edit',
  'Write',
  'TodoWrite',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The tools in the fixed order the model sees them (a stable order keeps the cached prefix stable). */
export const ALL_TOOLS: readonly Tool[] = [
  taskTool,
  bashTool,
  globTool,
  grepTool,
  lsTool,
  readTool,
  editTool,
  writeTool,
  todoWriteTool,
] as readonly Tool[];

/** What a sub-agent gets unless its type says otherwise: tools that cannot change anything. */
export const READ_ONLY_TOOL_NAMES: readonly ToolName[] = ['Glob', 'Grep', 'LS', 'Read'];

export function selectTools(names: readonly string[]): Tool[] {
  const unknown = names.filter((name) => !(TOOL_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`Unknown tool(s): ${unknown.join(', ')}. Known: ${TOOL_NAMES.join(', ')}`);
  return ALL_TOOLS.filter((tool) => names.includes(tool.name));
}

/** The model-facing definition of a tool; z.toJSONSchema is deterministic, so the bytes never change. */
export function toolDefinition(tool: Tool): ToolDefinition {
  const schema = z.toJSONSchema(tool.input as z.ZodType, { io: 'input' }) as Record<
    string,
    unknown
  >;
  delete schema.$schema;
  return { name: tool.name, description: tool.description, inputSchema: schema };
}
