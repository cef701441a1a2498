/** Builds typed requests from parsed parameters (spot and USDⓈ-M schemas alike). */

/** Drops keys whose value is undefined, so requests carry only what was sent. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
