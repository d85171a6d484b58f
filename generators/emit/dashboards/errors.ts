/** A dashboard the templates (or an override file) cannot produce: reported without a stack trace. */
export class DashboardError extends Error {}
