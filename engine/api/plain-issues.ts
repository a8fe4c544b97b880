import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;

const count = (n: number | bigint) => Number(n).toLocaleString('en-US');

/** "a number" for the types a form field holds; the schema's own name otherwise. */
const typeName = (expected: string): string =>
  ({ number: 'a number', int: 'a whole number', string: 'text', boolean: 'yes or no', array: 'a list' })[expected] ??
  expected;

/**
 * zod's default messages in words a person reads next to a field ("at least 1,000" rather than
 * "Too small: expected number to be >=1000", "a number" rather than "received null"). Messages a
 * schema gives itself win over these; issues not listed keep zod's text.
 */
export function plainIssueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined && issue.expected !== 'int' ? 'required' : `must be ${typeName(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'cannot be empty' : `at least ${count(issue.minimum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return Number(issue.minimum) <= 1 ? 'at least one' : `at least ${count(issue.minimum)}`;
      return issue.inclusive === false ? `more than ${count(issue.minimum)}` : `at least ${count(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `at most ${count(issue.maximum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set') return `at most ${count(issue.maximum)}`;
      return issue.inclusive === false ? `less than ${count(issue.maximum)}` : `at most ${count(issue.maximum)}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
}
