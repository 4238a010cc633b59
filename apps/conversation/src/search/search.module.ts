import { Module } from '@nestjs/common';
import { SearchHandler } from './search.handler.js';
import { SearchRepository } from './search.repository.js';
import { SearchService } from './search.service.js';

@Module({ controllers: [SearchHandler], providers: [SearchService, SearchRepository], exports: [SearchService] })
export class SearchModule {}
