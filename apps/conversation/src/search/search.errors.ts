import { AppError } from '#contracts';

export const SearchErrors = {
  noText: () => AppError.invalidField('q', 'q must contain a word to search for'),
  tooManyWords: (max: number) => AppError.invalidField('q', `q must have at most ${max} words`),
  onlyStopwords: () => AppError.invalidField('q', 'q has no searchable words (only stopwords or punctuation)'),
  emptyPeriod: () => AppError.invalidField('to', 'to must be after from'),
  badCursor: () => AppError.invalidField('cursor', 'cursor must be the nextCursor of a previous page'),
};
