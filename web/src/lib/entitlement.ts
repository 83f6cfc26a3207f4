// What the console offers each role for environments. The server decides (a developer
// may create, update, delete and cancel environments of a self-service environment
// template only); the console only leaves out what the server would refuse.

/**
 * managesEnvironments reports whether the signed-in user may change environments of
 * template t: an admin always; a developer when t is self-service.
 */
export function managesEnvironments(admin: boolean, t?: { selfService?: boolean }): boolean {
  return admin || !!t?.selfService;
}

/**
 * createsEnvironments reports whether the user may create an environment from one of the
 * environment templates at all (whether the console offers "Create environment").
 */
export function createsEnvironments(admin: boolean, templates?: { selfService?: boolean }[]): boolean {
  return admin || !!templates?.some((t) => t.selfService);
}
