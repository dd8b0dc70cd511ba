/**
 * What the environment loader (src/config) says about PRISM_ROLE. Kept here, beside the stores that make
 * roles possible, so the config names no store itself (src/stores/core-names-no-store.unit.spec.ts).
 */

/** The hint of PRISM_ROLE in the variable's documentation and errors. */
export const PRISM_ROLE_HINT =
  'all (everything in one process), api (commands, queries, admin, console; runs no projection) or worker (runs projections; health and metrics only); api and worker need PostgreSQL or KurrentDB';

/** Why api and worker roles are refused on the embedded event store without another shared store. */
export const ROLES_NEED_SHARED_STORE =
  'roles need a shared store: PostgreSQL or KurrentDB (set PRISM_PG_URL, or PRISM_EVENT_STORE=kurrentdb with PRISM_ESDB_URL); the embedded store serves one process only';
