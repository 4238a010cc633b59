import { IsInt, IsString, MaxLength, MetadataStorage, Min, validate } from 'class-validator';
import { VALIDATION_OPTIONS, validatePayload } from './validate.js';
import { rememberRuleLookups } from './rule-lookup.js';

class Base {
  @IsString()
  name: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  count: number;
}

describe('remembered rule lookups (class-validator)', () => {
  it('validates as before: own and inherited rules, unknown fields refused', async () => {
    await expect(validatePayload(Child, { name: 'a', count: 2 })).resolves.toBeInstanceOf(Child);
    for (const bad of [{ name: 1, count: 2 }, { name: 'a', count: 0 }, { name: 'a', count: 2, extra: true }]) {
      await expect(validatePayload(Child, bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('looks each class up once, and again after a rule is added', async () => {
    const storage = new MetadataStorage();
    let lookups = 0;
    const original = storage.getTargetValidationMetadatas.bind(storage);
    storage.getTargetValidationMetadatas = (...args) => {
      lookups += 1;
      return original(...args);
    };
    rememberRuleLookups(storage);
    const first = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
    expect(lookups).toBe(1);
    storage.getTargetValidationMetadatas(Base, '', false, false);
    expect(lookups).toBe(2);
    // Nested objects come with their parent's schema name, which the lookup filters by.
    storage.getTargetValidationMetadatas(Base, 'Parent', false, false);
    storage.getTargetValidationMetadatas(Base, 'Parent', false, false);
    expect(lookups).toBe(3);
    // A class whose rules are declared later (a lazily loaded module) is seen with them.
    class Late {
      @MaxLength(3)
      code: string;
    }
    const errors = await validate(Object.assign(new Late(), { code: 'toolong' }), VALIDATION_OPTIONS);
    expect(errors.map((e) => e.property)).toEqual(['code']);
  });
});
