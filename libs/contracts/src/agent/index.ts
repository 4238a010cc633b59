// Agent service contracts: subjects, request/reply/event classes.
export {};
