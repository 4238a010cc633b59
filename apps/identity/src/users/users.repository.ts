import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { ILike, MoreThan, Raw, type FindOptionsWhere } from 'typeorm';
import { UserEntity } from './user.entity.js';

/** Emails are stored lower-cased; compared through lower() so the lookup uses users_email_uq. */
const emailIs = (email: string) => Raw((column) => `lower(${column}) = lower(:email)`, { email });

/** `%` and `_` in a search are literal characters, not wildcards. */
function containing(text: string) {
  return ILike(`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
}

@Injectable()
export class UsersRepository {
  constructor(private readonly database: Database) {}

  private get users() {
    return this.database.repository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email: emailIs(email) });
  }

  /** Locks the row (in the caller's transaction): a profile change and a deletion of the same account cannot interleave. */
  findForUpdate(id: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByEmailForUpdate(email: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { email: emailIs(email) }, lock: { mode: 'pessimistic_write' } });
  }

  findByExternalIdForUpdate(provider: string, subject: string): Promise<UserEntity | null> {
    return this.users.findOne({ where: { externalProvider: provider, externalId: subject }, lock: { mode: 'pessimistic_write' } });
  }

  /** Keeps the row from being deleted until the caller's transaction ends (FOR KEY SHARE), without blocking updates. */
  async holdIfExists(id: string): Promise<boolean> {
    const user = await this.users.findOne({ select: { id: true }, where: { id }, lock: { mode: 'for_key_share' } });
    return user !== null;
  }

  anyActiveSuperuser(): Promise<boolean> {
    return this.users.existsBy({ isSuperuser: true, isActive: true });
  }

  /** Oldest first, paged by id (time-ordered); `q` matches the email or the name. */
  list(filter: { q?: string; after?: string; limit: number }): Promise<UserEntity[]> {
    const page: FindOptionsWhere<UserEntity> = filter.after ? { id: MoreThan(filter.after) } : {};
    return this.users.find({
      where: filter.q ? [{ ...page, email: containing(filter.q) }, { ...page, name: containing(filter.q) }] : page,
      order: { id: 'ASC' },
      take: filter.limit,
    });
  }

  insert(user: Pick<UserEntity, 'id' | 'email' | 'passwordHash' | 'name'>): Promise<UserEntity> {
    return this.users.save(this.users.create(user));
  }

  save(user: UserEntity): Promise<UserEntity> {
    return this.users.save(user);
  }

  async update(id: string, changes: Partial<Pick<UserEntity, 'passwordHash' | 'isActive' | 'isSuperuser' | 'externalProvider' | 'externalId'>>): Promise<void> {
    await this.users.update({ id }, changes);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.users.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
