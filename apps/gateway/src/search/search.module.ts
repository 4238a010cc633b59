import { Module } from '@nestjs/common';
import { SearchController } from './search.controller.js';

/** /search/messages: full-text search over the user's messages. */
@Module({ controllers: [SearchController] })
export class SearchModule {}
