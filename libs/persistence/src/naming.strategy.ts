import { DefaultNamingStrategy, type NamingStrategyInterface } from 'typeorm';

const snake = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const bare = (table: unknown): string => {
  const name = typeof table === 'string' ? table : (table as { name: string }).name;
  return name.split('.').pop() ?? name;
};

/** snake_case columns and constraint names a person can read in an error: `users_email_uq`. */
export class PlatformNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, prefixes: string[]): string {
    return customName ?? snake([...prefixes, propertyName].join('_'));
  }
  override primaryKeyName(table: unknown): string {
    return `${bare(table)}_pkey`;
  }
  override uniqueConstraintName(table: unknown, columns: string[]): string {
    return `${bare(table)}_${columns.join('_')}_uq`;
  }
  override indexName(table: unknown, columns: string[]): string {
    return `${bare(table)}_${columns.join('_')}_idx`;
  }
  override foreignKeyName(table: unknown, columns: string[]): string {
    return `${bare(table)}_${columns.join('_')}_fkey`;
  }
}
