import fc from 'fast-check';
import { Money, formatMoney } from '../../domain/money';

/** A money string of whole fen between `min` and `max` fen, as the API carries it. */
export const fenString = (min: bigint, max: bigint) =>
  fc.bigInt({ min, max }).map((fen) => formatMoney(new Money(fen.toString()).dividedBy(100)));
