/** The baselines' one activity: it does nothing, so what is measured is Temporal's round trips. */
export const benchActivities = {
  async benchNothing(): Promise<void> {},
};

export type BenchActivities = typeof benchActivities;
