/**
 * The model providers the platform knows, in one list: agents name one, users store a key for one
 * and pick a default among them. Local servers (Ollama, vLLM, LM Studio) speak the OpenAI API and
 * need no key, but are listed so an agent can say where it runs.
 */
export const MODEL_PROVIDERS = [
  'openai',
  'azure-openai',
  'anthropic',
  'google',
  'mistral',
  'groq',
  'openrouter',
  'cohere',
  'deepseek',
  'xai',
  'together',
  'ollama',
  'vllm',
  'lmstudio',
] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];
