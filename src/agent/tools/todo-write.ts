// `TodoWrite {todos}`: the model's plan. The whole list replaces the previous one and goes to the caller
// through the progress callback (the tracking comment renders it).
import { z } from 'zod';
import { defineTool, ToolFailure } from './tool.js';

export const TodoItem = z.strictObject({
  content: z.string().min(1).describe('What to do, in the imperative ("Run the tests").'),
  status: z.enum(['pending', 'in_progress', 'completed']),
  activeForm: z
    .string()
    .min(1)
    .describe('The same step in the present continuous ("Running the tests").'),
});
export type TodoItem = z.infer<typeof TodoItem>;

export const TodoWriteInput = z.strictObject({
  todos: z.array(TodoItem).describe('The complete, updated todo list.'),
});
export type TodoWriteInput = z.infer<typeof TodoWriteInput>;

export function formatTodos(todos: readonly TodoItem[]): string {
  if (todos.length === 0) return '(no todos)';
  const mark = { pending: '[ ]', in_progress: '[~]', completed: '[x]' } as const;
  return todos.map((todo) => `${mark[todo.status]} ${todo.content}`).join('\n');
}

export const todoWriteTool = defineTool<TodoWriteInput>({
  name: 'TodoWrite',
  // It only touches in-memory state, but ordering matters when a turn writes the list twice.
  readOnly: false,
  input: TodoWriteInput,
  description:
    'Creates or updates your todo list for this task. Send the complete list each time. Keep exactly one item in_progress while you work, and mark items completed as soon as they are done. Use it for any task with three or more steps.',
  async run(input, context) {
    const active = input.todos.filter((todo) => todo.status === 'in_progress').length;
    if (active > 1)
      throw new ToolFailure(
        `${active} items are in_progress; keep exactly one in_progress at a time.`,
      );
    context.session.todos = input.todos.map((todo) => ({ ...todo }));
    context.onTodos?.(context.session.todos);
    return `Todo list updated:\n${formatTodos(input.todos)}`;
  },
});
