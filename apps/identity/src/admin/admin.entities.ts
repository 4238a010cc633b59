import { SystemSettingEntity } from './system-setting.entity.js';

export const AdminEntities: Function[] = [SystemSettingEntity];
