// oidc-provider ships no types; test/helpers/oidc-provider.ts and the service-to-service
// example use its constructor and callback() only.
declare module 'oidc-provider' {
  export default class Provider {
    constructor(issuer: string, configuration: unknown);
    callback(): (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
  }
}
