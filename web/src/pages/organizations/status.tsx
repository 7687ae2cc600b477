import { Badge, Tooltip } from "@mantine/core";
import type { OrganizationAccount } from "../../api/organizations";

/** One account's status in words and colour, from its state, membership and health ledger. */
export function accountStatus(a: OrganizationAccount): {
  label: string;
  color: string;
  detail: string;
} {
  const l = a.ledger;
  if (a.membership === "left")
    return { label: "left", color: "gray", detail: `left the organization ${a.leftAt ?? ""}` };
  if (l.suspended)
    return {
      label: "suspended",
      color: "orange",
      detail: "the account is suspended: fan-outs skip it",
    };
  if (a.state !== "ACTIVE")
    return { label: a.state.toLowerCase(), color: "orange", detail: `the account is ${a.state}` };
  if (a.management)
    return {
      label: "management account",
      color: "blue",
      detail:
        "service-managed StackSets never deploy here: onboard it with the single-stack template",
    };
  if (!a.inScope)
    return {
      label: "not onboarded",
      color: "gray",
      detail: "outside the onboarded OUs, or skipped",
    };
  if (a.connection === null)
    return {
      label: "no connection",
      color: "yellow",
      detail: l.lastError?.message ?? "created on the next reconcile",
    };
  if (l.assumable === null)
    return { label: "not tested", color: "gray", detail: "tested by the next reconcile" };
  if (!l.assumable)
    return {
      label: "unreachable",
      color: "red",
      detail: `${l.lastError?.message ?? ""} Fix: ${l.lastError?.fix ?? ""}`,
    };
  if (l.blockedRegions.length > 0)
    return {
      label: "reachable",
      color: "yellow",
      detail: `blocked regions: ${l.blockedRegions.map((b) => `${b.region} (${b.reason === "opt_in" ? "not enabled" : "denied by an SCP"})`).join(", ")}`,
    };
  return { label: "reachable", color: "green", detail: `role assumed at ${l.checkedAt ?? ""}` };
}

export function AccountStatusBadge(props: { account: OrganizationAccount }) {
  const s = accountStatus(props.account);
  return (
    <Tooltip label={s.detail} multiline maw={420} openDelay={200}>
      <Badge color={s.color} variant="light" tt="none">
        {s.label}
      </Badge>
    </Tooltip>
  );
}
