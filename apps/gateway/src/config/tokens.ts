/** The deployment configuration (TributaryConfig), read once from the environment at start-up. */
export const TRIBUTARY_CONFIG = Symbol('TRIBUTARY_CONFIG');
