import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { executionApp } from './execution.app.js';

runServiceProcess(executionApp);
