/** What every activity factory receives: no globals, so tests build their own. */
export type { StepDeps as ActivityDeps } from '../usecases/deps';
