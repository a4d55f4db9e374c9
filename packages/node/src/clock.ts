/**
 * The node's clock in ms since the epoch. Election Day rules (deadlines, overdue
 * check-ins, quiet hours) and received times read it; tests inject one they move
 * by hand, so nothing waits for real time to pass.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
