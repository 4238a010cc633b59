import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { integrationApp } from './integration.app.js';

runServiceProcess(integrationApp);
