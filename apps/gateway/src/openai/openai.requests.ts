import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_RUN_HISTORY, MAX_RUN_INPUT_CHARS } from '#contracts';

/** The parts of OpenAI's request bodies this face takes; anything else is refused by name (400), never silently dropped. */

export class ChatFunctionDefinition {
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'name must be 1-64 letters, digits, "_" or "-"' })
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOptional()
  @IsObject()
  parameters?: Record<string, unknown>;

  @IsOptional()
  @IsBoolean()
  strict?: boolean;
}

export class ChatToolDefinition {
  @IsIn(['function'])
  type: 'function';

  @ValidateNested()
  @Type(() => ChatFunctionDefinition)
  function: ChatFunctionDefinition;
}

export class StreamOptions {
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;
}

/** Fields both APIs share: the model, the run's settings and who the caller serves. */
class ModelRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  model: string;

  @IsOptional()
  @IsBoolean()
  stream?: boolean;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  user?: string;

  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;
}

export class ChatCompletionRequest extends ModelRequest {
  /** Checked message by message by the service (content is a string or text parts; roles differ in what they carry). */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_RUN_HISTORY + 1)
  @IsObject({ each: true })
  messages: Array<Record<string, unknown>>;

  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptions)
  stream_options?: StreamOptions;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(64)
  @ValidateNested({ each: true })
  @Type(() => ChatToolDefinition)
  tools?: ChatToolDefinition[];

  @IsOptional()
  @IsIn(['auto'], { message: "tool_choice must be 'auto': the agent decides when to call a tool" })
  tool_choice?: 'auto';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200_000)
  max_tokens?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200_000)
  max_completion_tokens?: number;

  @IsOptional()
  @IsIn([1], { message: 'n must be 1: a run gives one answer' })
  n?: number;
}

export class CreateResponseRequest extends ModelRequest {
  /** A string, or message items (checked by the service). */
  @Allow()
  input: unknown;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_RUN_INPUT_CHARS)
  instructions?: string;

  @IsOptional()
  @IsString()
  @Matches(/^resp_[0-9a-f]{32}$/, { message: 'previous_response_id must be the id of one of your responses (resp_...)' })
  previous_response_id?: string;

  @IsOptional()
  @IsBoolean()
  background?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(200_000)
  max_output_tokens?: number;

  @IsOptional()
  @IsBoolean()
  store?: boolean;
}

export class ResponseIdRequest {
  @IsString()
  @Matches(/^resp_[0-9a-f]{32}$/, { message: 'id must be a response id (resp_...)' })
  id: string;
}

export class ModelIdRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  model: string;
}
