import 'reflect-metadata';
import { runServiceProcess } from '#service-kit';
import { conversationApp } from './conversation.app.js';

runServiceProcess(conversationApp);
