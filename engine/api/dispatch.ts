import { ZodError } from 'zod';
import { commands, isCommandName, type ApiError, type CallResult, type Handlers } from './contract.ts';
import { plainIssueMessage } from './plain-issues.ts';

/** Runs one command from any transport: unknown names and invalid input are refused with a readable error. */
export async function dispatch(handlers: Handlers, name: unknown, input: unknown): Promise<CallResult> {
  if (!isCommandName(name)) {
    return { ok: false, error: { code: 'unknown-command', message: `Unknown command: ${String(name)}` } };
  }
  const parsed = commands[name].input.safeParse(input ?? {}, { error: plainIssueMessage });
  if (!parsed.success) return { ok: false, error: invalidInput(parsed.error) };
  try {
    const handler = handlers[name] as (args: unknown) => unknown;
    return { ok: true, output: (await handler(parsed.data)) as never };
  } catch (error) {
    if (error instanceof ZodError) return { ok: false, error: invalidInput(error) };
    return { ok: false, error: { code: 'failed', message: error instanceof Error ? error.message : String(error) } };
  }
}

function invalidInput(error: ZodError): ApiError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '(input)';
    fields[key] ??= issue.message;
  }
  const message = Object.entries(fields)
    .map(([field, text]) => (field === '(input)' ? text : `${field}: ${text}`))
    .join('; ');
  return { code: 'invalid-input', message, fields };
}

/** Thrown by handlers for a refusal the user should read as it is. */
export class UserError extends Error {}
