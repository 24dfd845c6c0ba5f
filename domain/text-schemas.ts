import { z } from 'zod';

/*
 * Text that people read in lists and on screens (names, regions, reasons, notes) must show what
 * was typed. A control character, a format character (the bidi overrides and isolates U+202A–202E
 * and U+2066–2069, the zero-width U+200B–200D, U+2060, U+FEFF, the soft hyphen) or a line or
 * paragraph separator is invisible or reorders what follows: `U+202E` makes "fdp.exe" read
 * "exe.pdf", a zero-width space makes two names that look the same differ. Such text is refused
 * with a 400 naming the field and the character (docs/api.md, "Input rules"). Multi-line text
 * (reasons, notes, a business plan) may hold line breaks and tabs, nothing else of the kind.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HIDDEN_IN_LINES = /(?![\t\n\r])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** The first character `s` must not hold, as U+XXXX, or undefined. */
export function hiddenCharacter(s: string, lines = false): string | undefined {
  const m = (lines ? HIDDEN_IN_LINES : HIDDEN).exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/**
 * `schema` (a string schema with its own length rules) refusing invisible and direction-changing
 * characters; `lines: true` for text that may run over several lines.
 */
export function visibleText<S extends z.ZodString>(schema: S, opts: { lines?: boolean } = {}): S {
  return schema.superRefine((v, ctx) => {
    const c = hiddenCharacter(v, opts.lines);
    if (c) ctx.addIssue({ code: 'custom', message: `must not contain ${c}: control, invisible and direction-changing characters are refused` });
  }) as S;
}
