import { InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';

/** What a flag needs from its zod field: the help text, the default, the choices, the rule without wrappers. */
function fieldParts(field: z.ZodType): { description?: string; defaultValue?: unknown; rule: z.ZodType } {
  let rule = field;
  let defaultValue: unknown;
  while (rule instanceof z.ZodOptional || rule instanceof z.ZodDefault) {
    if (rule instanceof z.ZodDefault) defaultValue = rule.def.defaultValue;
    rule = rule.unwrap() as z.ZodType;
  }
  return { description: field.description, defaultValue, rule };
}

/**
 * A flag's text as the field's value: as written when the field takes it (a name, 'auto'), else as a
 * number; a value the field refuses is commander's one-line error with the field's own rule.
 */
function parseByField(rule: z.ZodType): (text: string) => unknown {
  return (text) => {
    const asWritten = rule.safeParse(text);
    if (asWritten.success) return asWritten.data;
    const asNumber = rule.safeParse(Number(text));
    if (asNumber.success) return asNumber.data;
    throw new InvalidArgumentError(asNumber.error.issues[0].message);
  };
}

/**
 * A commander option whose help, default, choices and check all come from a zod field, so the CLI's
 * flags cannot drift from the library's options. `flags` is commander's, e.g. '--tile <auto|n>'.
 */
export function optionFromField(flags: string, field: z.ZodType): Option {
  const { description, defaultValue, rule } = fieldParts(field);
  const option = new Option(flags, description);
  if (rule instanceof z.ZodEnum) option.choices(rule.options as string[]);
  else if (option.required || option.optional) option.argParser(parseByField(rule));
  if (defaultValue !== undefined) option.default(defaultValue);
  return option;
}
