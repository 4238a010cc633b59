import type { ProviderKeyView, SettingsView } from '#contracts';
import type { ProviderKeyEntity } from './provider-key.entity.js';
import type { UserSettingsEntity } from './user-settings.entity.js';

export function toProviderKeyView(key: ProviderKeyEntity): ProviderKeyView {
  return { provider: key.provider, isSet: true, last4: key.last4, updatedAt: key.updatedAt.toISOString() };
}

export function toSettingsView(settings: UserSettingsEntity | null, keys: ProviderKeyEntity[], providerKeysWritable: boolean): SettingsView {
  return {
    theme: settings?.theme ?? 'system',
    defaultLlmProvider: settings?.defaultLlmProvider ?? null,
    sidebarCollapsed: settings?.sidebarCollapsed ?? false,
    onboardingCompleted: settings?.onboardingCompleted ?? false,
    toursCompleted: settings?.toursCompleted ?? {},
    settings: settings?.settings ?? {},
    providerKeys: keys.map(toProviderKeyView),
    providerKeysWritable,
  };
}
