// Contracts of the account features: profile, settings, projects, notifications.
export {};
