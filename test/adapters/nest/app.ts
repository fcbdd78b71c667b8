// Nest test apps, written as a user writes them (legacy decorators, enabled by this folder's
// tsconfig.json), started on either platform and reached over real HTTP on loopback.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Catch, HttpException, type ArgumentsHost, type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { httpSend, type Harness } from '../support.js';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

/**
 * Nest's own error handling, marked: refusals (HttpExceptions) are sent as Nest sends them,
 * anything else becomes 500 `{ handledBy }`, like the error handlers of the other adapter tests.
 */
@Catch()
class FrameworkErrors extends BaseExceptionFilter {
  constructor(
    private readonly handledBy: string,
    private readonly adapter: NonNullable<BaseExceptionFilter['applicationRef']>,
  ) {
    super(adapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      super.catch(exception, host);
      return;
    }
    this.adapter.reply(host.switchToHttp().getResponse(), { handledBy: this.handledBy }, 500);
  }
}

/** A running Nest app: the harness, and the app to reach its providers. */
export interface NestHarness extends Harness {
  readonly app: INestApplication;
}

/**
 * Starts `module` on `platform`, listening on a loopback port. `handledBy` marks the answers
 * of its error handling (see FrameworkErrors); `configure` runs before it listens.
 */
export async function startNest(
  platform: Platform,
  module: Type | DynamicModule,
  handledBy = `nest-${platform}`,
  configure?: (app: INestApplication) => void,
): Promise<NestHarness> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, { logger: false, forceCloseConnections: true, abortOnError: false });
  app.useGlobalFilters(new FrameworkErrors(handledBy, app.getHttpAdapter()));
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, send: httpSend(`http://127.0.0.1:${port}`), close: () => app.close() };
}
