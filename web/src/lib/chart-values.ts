/**
 * A chart's heights are numbers, and ECharts draws nothing else. This is the one place an amount
 * from the API becomes a number, for plotting only: nothing is computed with it or shown from it
 * (tables and tooltips show the API's strings). A yuan amount of whole fen below 2^53 fen is held
 * exactly by the double anyway.
 */
export function plotValue(amount: string): number {
  return Number(amount);
}
