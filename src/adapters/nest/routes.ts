// What the tokenwarden decorators declared about a controller class or a handler, and how the
// guard combines the two into the requirements of one route. Kept in a WeakMap of our own rather
// than in reflect-metadata, so that decorating never depends on a global polyfill.
import type { Guard } from '../core.js';

/** What a route requires: nothing (`public`), or a token passing `guards` (class-level first). */
export type Route =
  | { readonly public: true; readonly guards?: undefined }
  | { readonly public: false; readonly guards: readonly Guard<object>[] };

interface Declared {
  public: boolean;
  /** A requirement was declared, possibly without guards (`@UseTokenwardenGuards()`: a token only). */
  protected: boolean;
  readonly guards: Guard<object>[];
}

// Keyed by the controller class (class-level decorators) or the handler function (method-level).
const declared = new WeakMap<object, Declared>();

const PUBLIC: Route = Object.freeze({ public: true });

/**
 * Records a decorator on `holder` (a class, or a method's function): `'public'`, or the guards
 * it requires. Public and required on the same holder contradict each other: TypeError naming
 * the decorator and `kind` ('class' or 'method'), when the class is defined.
 */
export function declare(holder: object, kind: string, decorator: string, requirement: 'public' | readonly Guard<object>[]): void {
  let entry = declared.get(holder);
  if (entry === undefined) declared.set(holder, (entry = { public: false, protected: false, guards: [] }));
  if (requirement === 'public' ? entry.protected : entry.public) {
    throw new TypeError(`tokenwarden: ${decorator} contradicts another decorator of the same ${kind}: a @Public() ${kind} has no requirements`);
  }
  if (requirement === 'public') {
    entry.public = true;
  } else {
    entry.protected = true;
    entry.guards.push(...requirement);
  }
}

/**
 * The requirements of `handler` served by `controller`. The method decides first: @Public()
 * there makes the route public, and a requirement there protects it whatever the class says.
 * Otherwise the nearest class of the controller's chain that declared anything decides whether
 * the route is public. Guards add up, as Nest adds up @UseGuards(): the classes of the chain,
 * base first, then the method.
 */
export function routeOf(controller: object, handler: object): Route {
  const own = declared.get(handler);
  if (own?.public === true) return PUBLIC;
  const chain: Declared[] = [];
  for (let type: unknown = controller; typeof type === 'function' && type !== Function.prototype; type = Object.getPrototypeOf(type)) {
    const entry = declared.get(type);
    if (entry !== undefined) chain.push(entry);
  }
  if (own === undefined && chain[0]?.public === true) return PUBLIC;
  const guards = chain.reverse().flatMap((entry) => entry.guards);
  if (own !== undefined) guards.push(...own.guards);
  return Object.freeze({ public: false, guards: Object.freeze(guards) });
}
