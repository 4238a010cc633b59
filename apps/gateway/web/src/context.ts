import { Api, Session } from './api.js';

/** The one API client of the page; its session is this tab's. */
export const api = new Api(new Session());

/** What the server wrote into the page (see PlaygroundService). */
export interface PlatformConfig {
  modelProviders: string[];
}

export function platformConfig(): PlatformConfig {
  const element = document.getElementById('platform-config');
  try {
    const parsed = JSON.parse(element?.textContent ?? '') as Partial<PlatformConfig>;
    if (Array.isArray(parsed.modelProviders)) return { modelProviders: parsed.modelProviders };
  } catch {
    // Served without the server's configuration (a file opened by hand): fall back to the usual provider.
  }
  return { modelProviders: ['openai'] };
}
