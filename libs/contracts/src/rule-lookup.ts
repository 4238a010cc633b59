import { getMetadataStorage, type MetadataStorage } from 'class-validator';

type Rules = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type GroupedRules = ReturnType<MetadataStorage['groupByPropertyName']>;

const INSTALLED = Symbol.for('agent-platform.rule-lookup');

/**
 * class-validator looks a class's rules up on every validate() of every object: it tests the
 * class against every class that has rules (`instanceof`, several hundred contract classes here)
 * and groups the result by property again. Profiles of the hot routes showed that lookup as the
 * largest single cost of validating a small payload, on the gateway and on every service it
 * calls. The rules are fixed once the contract classes are loaded, so the lookup is kept per
 * class, schema name and options (not with groups, which we never use) and dropped whenever a
 * rule is added. The answers are read, never changed, by class-validator's executor.
 */
export function rememberRuleLookups(storage: MetadataStorage = getMetadataStorage()): void {
  const marked = storage as MetadataStorage & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let rules = new Map<unknown, Map<string, Rules>>();
  let grouped = new WeakMap<Rules, GroupedRules>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups && groups.length > 0) return lookup(target, schema, always, strictGroups, groups);
    // Nested objects are looked up with their parent's schema name: part of the key.
    const key = `${schema ?? ''}:${always}:${strictGroups}`;
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) {
      found = lookup(target, schema, always, strictGroups, groups);
      byOptions.set(key, found);
      grouped.set(found, group(found));
    }
    return found;
  };
  // Only the remembered lookups come back as the same array; any other is grouped each time.
  storage.groupByPropertyName = (metadata) => grouped.get(metadata) ?? group(metadata);
  storage.addValidationMetadata = (metadata) => {
    rules = new Map();
    grouped = new WeakMap();
    add(metadata);
  };
}
