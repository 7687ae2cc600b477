/** AWS's stable unique ids: AIDA… for users, AROA… for roles; derived so they never change. */
export function uniqueId(prefix: "AIDA" | "AROA", arn: string): string {
  let h = 2166136261;
  let out = "";
  for (let round = 0; out.length < 17; round++) {
    for (const ch of `${round}${arn}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
    out += h.toString(36).toUpperCase();
  }
  return prefix + out.slice(0, 17);
}
