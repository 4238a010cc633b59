import { ModelProviders } from './model-providers.js';
import { PriceTable } from './price-table.js';

/**
 * Checks the model settings of the environment (provider base URLs, MODEL_PRICES) the way a
 * service reads them, so a bad one stops the process at start with the variable named rather than
 * failing the first run. Throws ConfigError.
 */
export function checkModelSettings(env: Record<string, string | undefined> = process.env): void {
  ModelProviders.fromEnv(env);
  PriceTable.fromEnv(env);
}
