import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { workflowApp } from './workflow.app.js';

runServiceProcess(workflowApp);
