// Conversation service contracts: subjects, request/reply/event classes.
export {};
