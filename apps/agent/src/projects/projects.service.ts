/**
 * Whether a project an agent or a knowledge base is filed under is the caller's: the one check
 * every service that files things under projects shares (libs/service-kit ProjectOwnership).
 */
export { ProjectOwnership as ProjectsService } from '#service-kit';
