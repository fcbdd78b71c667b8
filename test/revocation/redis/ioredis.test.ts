import { describeRedisStore } from './behaviour.js';

describeRedisStore('ioredis');
