// Model providers on @langchain/core chat models, prices, usage and cost.
export {};
