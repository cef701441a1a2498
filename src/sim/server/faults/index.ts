/**
 * Fault injection for the simulator: REST faults in the request pipeline,
 * websocket faults in the hubs, one-shot actions, and the `/__sim/…` admin
 * routes (faults, ground truth, rate-limit usage). See ./schema.ts for the
 * kinds and their scopes, ./admin.ts for the HTTP API.
 */
export { ADMIN_PREFIX, adminStage, type AdminDeps } from './admin.ts';
export { type FaultControl, FaultController, type FaultControllerOptions, type FaultStats, FaultUnsupportedError, type ListenKeyControl } from './controller.ts';
export type { FaultView } from './registry.ts';
export { type FaultKind, type FaultSpec, FaultSpecError, type FaultSpecInput, faultSpecSchema, parseFaultSpec } from './schema.ts';
export { buildSimHooks, type SimHooks, type SimHooksInput } from './sim-hooks.ts';
