// Conversation service contracts: subjects, request/reply/event classes.
export * from './conversations.contracts.js';
export * from './messages.contracts.js';
export * from './search.contracts.js';
export * from './attachments.contracts.js';
export * from './runs.contracts.js';
export * from './conversation.events.js';
