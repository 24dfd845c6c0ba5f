// The same GB 11643 rule the server applies (domain/id-number.ts), bundled into the apply screen.
import { idNumberProblem, normaliseIdNumber } from '../../../domain/id-number';

/** The i18n key of what is wrong with a typed ID number, or undefined when it is valid. */
export function idNumberProblemKey(typed: string): string | undefined {
  const p = idNumberProblem(normaliseIdNumber(typed.trim()));
  if (!p) return undefined;
  if (p.startsWith('must be 18')) return 'forms.idProblem.shape';
  if (p.includes('not a real date')) return 'forms.idProblem.date';
  if (p.includes('before')) return 'forms.idProblem.early';
  return 'forms.idProblem.check';
}
