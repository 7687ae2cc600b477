/**
 * The role session name CloudTrail shows for every call: `sb-<user>-<run or request id>`,
 * within AWS's 2 to 64 characters of [\w+=,.@-].
 */
export function roleSessionName(userName: string, runOrRequestId: string): string {
  const clean = (s: string) => s.replace(/[^\w+=,.@-]/g, "-");
  const id = clean(runOrRequestId).slice(0, 28);
  const user = clean(userName).slice(0, 64 - "sb--".length - id.length);
  return `sb-${user}-${id}`;
}
