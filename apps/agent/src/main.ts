import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { agentApp } from './agent.app.js';

runServiceProcess(agentApp);
