import { Injectable } from '@nestjs/common';
import { Database } from '#persistence';
import { PublicLinkRunEntity } from './public-link-run.entity.js';
import { PublicLinkEntity } from './public-link.entity.js';

@Injectable()
export class PublicLinksRepository {
  constructor(private readonly database: Database) {}

  private get links() {
    return this.database.repository(PublicLinkEntity);
  }

  private get runs() {
    return this.database.repository(PublicLinkRunEntity);
  }

  async insert(link: PublicLinkEntity): Promise<void> {
    await this.links.insert(link);
  }

  findByTokenHash(tokenHash: string): Promise<PublicLinkEntity | null> {
    return this.links.findOneBy({ tokenHash });
  }

  listOfWorkflow(workflowId: string): Promise<PublicLinkEntity[]> {
    return this.links.find({ where: { workflowId }, order: { id: 'ASC' } });
  }

  findOfWorkflow(workflowId: string, id: string): Promise<PublicLinkEntity | null> {
    return this.links.findOneBy({ workflowId, id });
  }

  async revoke(id: string, at: Date): Promise<void> {
    await this.links.update({ id }, { revokedAt: at, updatedAt: at });
  }

  async recordRun(run: PublicLinkRunEntity): Promise<void> {
    await this.runs.createQueryBuilder().insert().values(run).orIgnore().execute();
  }

  async ranRun(linkId: string, runId: string): Promise<boolean> {
    return (await this.runs.countBy({ linkId, runId })) > 0;
  }
}
