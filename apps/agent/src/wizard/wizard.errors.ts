import { AppError } from '#contracts';

export const WizardErrors = {
  missingAnswers: () => AppError.invalidField('who', 'this agent has no wizard answers yet: send who and rules to generate its prompt'),
  /** `why` starts with the path of the bad part when there is one ("definition.tools must ..."). */
  notADefinition: (why: string) => AppError.invalidField(why.startsWith('definition.') ? why.split(' ')[0] : 'definition', why),
};
