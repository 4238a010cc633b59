import { BeforeInsert, CreateDateColumn, PrimaryColumn, UpdateDateColumn, type ValueTransformer } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';

/** Time-ordered ids: made by the app, so a row's id is known before it is written. */
export function newId(): string {
  return uuidv7();
}

export abstract class BaseEntity {
  @PrimaryColumn('uuid')
  id: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' })
  updatedAt: Date;

  @BeforeInsert()
  protected assignId(): void {
    this.id ??= newId();
  }
}

/**
 * For `bigint` columns that hold counters and micro-dollar sums: node-postgres answers int8 as a
 * string (it may exceed 2^53); these never do, so the entity holds a number. Written as given.
 */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null | undefined) => (value === null || value === undefined ? value : Number(value)),
};
