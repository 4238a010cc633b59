import { AppError, ErrorCode } from '#contracts';

/** The model a request names, when it names nothing of the caller's (the OpenAI face answers it as model_not_found). */
export const MODEL_NOT_FOUND = 'model_not_found';

export const RunTargetErrors = {
  modelNotFound: (model: string) =>
    new AppError(ErrorCode.NOT_FOUND, `The model '${model.slice(0, 200)}' does not exist or you do not have access to it`, { reason: MODEL_NOT_FOUND, param: 'model' }),
  ambiguous: (slug: string, count: number) =>
    AppError.invalidField('model', `'${slug.slice(0, 200)}' is the name of ${count} of your agents and workflows; use the id instead`),
};
