// `Task {description, prompt, subagent_type?}`: runs a child agent with its own context (read-only tools
// by default) that draws from the parent's budget; several in one turn run in parallel, bounded by the loop.
import { z } from 'zod';
import { defineTool, ToolFailure } from './tool.js';

export const TaskInput = z.strictObject({
  description: z.string().min(1).describe('A short (3-5 word) description of the task.'),
  prompt: z
    .string()
    .min(1)
    .describe('The full instructions for the sub-agent, including what to report back.'),
  subagent_type: z
    .string()
    .optional()
    .describe('The kind of sub-agent; "general-purpose" (read-only research) by default.'),
});
export type TaskInput = z.infer<typeof TaskInput>;

export const taskTool = defineTool<TaskInput>({
  name: 'Task',
  // Sub-agents get read-only tools unless configured otherwise, so parallel Task calls cannot race on files.
  readOnly: true,
  input: TaskInput,
  description:
    'Starts a sub-agent with its own context to research a question in the repository (it can Read, Glob, Grep and LS, but not change files) and returns its final report. Launch several in one message to run them in parallel. Give each a complete, self-contained prompt and say what it should report.',
  async run(input, context) {
    if (context.runSubagent === undefined)
      throw new ToolFailure(
        'Sub-agents cannot start further sub-agents. Do the work with your own tools.',
      );
    const result = await context.runSubagent({
      description: input.description,
      prompt: input.prompt,
      subagentType: input.subagent_type ?? 'general-purpose',
    });
    const text =
      result.text.trim() === '' ? '(the sub-agent returned no text)' : result.text.trim();
    const note =
      result.stopReason === 'end_turn'
        ? ''
        : `\n\n[The sub-agent stopped early: ${result.stopReason}.]`;
    return { content: `${text}${note}`, isError: result.stopReason === 'error' };
  },
});
