/** Parsers for command-line option values; each error names the flag and the accepted range. */
import { InvalidArgumentError } from 'commander';
import { ConnectionIdSchema } from '../../workflows/inputs.js';

/** Returns a parser for an integer flag within [min, max]. */
export function integerOption(flag: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, got "${value}".`);
    }
    return parsed;
  };
}

/** Parses a connection id flag with the rule the workflows apply (lower-case letters, digits and dashes). */
export function connectionOption(value: string): string {
  if (!ConnectionIdSchema.safeParse(value).success) {
    throw new InvalidArgumentError(`--connection must be 1 to 63 lower-case letters, digits or dashes, got "${value}".`);
  }
  return value;
}
