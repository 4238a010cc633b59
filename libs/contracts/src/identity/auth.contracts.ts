import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Empty, rpc } from '../contract.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

export class RegisterRequest {
  @ApiProperty({ example: 'ada@example.com', maxLength: 254 })
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ writeOnly: true })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password: string;
}

export class RefreshRequest {
  @ApiProperty({ description: 'The refresh token from login or the previous refresh' })
  @IsString()
  @MaxLength(512)
  refreshToken: string;
}

export class LogoutRequest {
  @ApiProperty({ description: 'The refresh token of the session to end' })
  @IsString()
  @MaxLength(512)
  refreshToken: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() isSuperuser: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TokenPair {
  @ApiProperty({ description: 'Short-lived JWT for the Authorization: Bearer header' }) accessToken: string;
  @ApiProperty({ description: 'Opaque, single-use token for POST /auth/refresh' }) refreshToken: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn: number;
}

export class SessionReply extends TokenPair {
  @ApiProperty({ type: UserView }) user: UserView;
}

export class DeleteMeRequest extends Empty {}

export class ChangePasswordRequest {
  @ApiProperty({ writeOnly: true })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, writeOnly: true })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword: string;
}

/** What the gateway sends: the body plus the session it came from, which stays signed in. */
export class ChangePasswordCommand extends ChangePasswordRequest {
  @IsOptional()
  @IsUUID()
  sessionId?: string;
}

export const IdentityContracts = {
  register: rpc('identity.auth.register', RegisterRequest, SessionReply),
  login: rpc('identity.auth.login', LoginRequest, SessionReply),
  refresh: rpc('identity.auth.refresh', RefreshRequest, SessionReply),
  logout: rpc('identity.auth.logout', LogoutRequest, Empty),
  getMe: rpc('identity.users.get-me', Empty, UserView),
  deleteMe: rpc('identity.users.delete-me', DeleteMeRequest, Empty),
  changePassword: rpc('identity.auth.change-password', ChangePasswordCommand, Empty),
} as const;
