export { systemClock, fixedClock, type Clock } from '../usecases/clock';
