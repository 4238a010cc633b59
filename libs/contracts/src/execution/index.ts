// Execution service contracts: runs, steps, run events.
export {};
