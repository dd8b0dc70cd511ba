/** Injection token of the projection runtime's RuntimeObserver (the Prometheus metrics). */
export const RUNTIME_OBSERVER = Symbol('RUNTIME_OBSERVER');
