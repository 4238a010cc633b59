import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { identityApp } from './identity.app.js';

runServiceProcess(identityApp, { needsJwt: true });
