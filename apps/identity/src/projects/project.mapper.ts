import type { ProjectView } from '#contracts';
import type { ProjectEntity } from './project.entity.js';

export function toProjectView(project: ProjectEntity): ProjectView {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    icon: project.icon,
    color: project.color,
    isDefault: project.isDefault,
    isArchived: project.isArchived,
    sortOrder: project.sortOrder,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}
