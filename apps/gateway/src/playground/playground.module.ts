import { Module, RequestMethod } from '@nestjs/common';
import { PlaygroundController } from './playground.controller.js';
import { PlaygroundService } from './playground.service.js';

/** The playground's routes live outside the API prefix: the page at / and /playground, its files under /playground/assets/. */
export const PLAYGROUND_ROUTES = [
  { path: '/', method: RequestMethod.GET },
  { path: 'playground', method: RequestMethod.GET },
  { path: 'playground/assets/:file', method: RequestMethod.GET },
];

/** The playground web page (apps/gateway/web, bundled into dist by scripts/build.mjs), served by the gateway itself. */
@Module({ controllers: [PlaygroundController], providers: [PlaygroundService], exports: [PlaygroundService] })
export class PlaygroundModule {}
