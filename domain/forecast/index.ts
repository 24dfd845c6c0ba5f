/** The budget forecast and its what-if (docs/forecast.md): pure, over a snapshot of the records. */
export * from './rates';
export * from './band';
export * from './scenario';
export * from './forecast';
export * from './what-if';
export * from './backtest';
