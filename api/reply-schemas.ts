import { z } from 'zod';

/** Money as the API answers it: a decimal string, never a JSON number (docs/domain.md). */
export const money = z.string().meta({ description: 'decimal string with two decimals' });
