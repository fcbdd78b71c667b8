import { describeRedisStore } from './behaviour.js';

describeRedisStore('node-redis');
