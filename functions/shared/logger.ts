/**
 * The API functions' structured logger (one JSON line per request, never a body or a spec). Level from
 * POWERTOOLS_LOG_LEVEL; the local server lowers it since it prints its own line per request.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'kaws-api' });
