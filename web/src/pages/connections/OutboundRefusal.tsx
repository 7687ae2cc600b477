import { Alert, Anchor, Button, Code, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconWorldOff } from "@tabler/icons-react";
import { Link } from "react-router";
import { ApiError } from "../../api/client";
import { useAllowOutbound } from "../../api/settings";
import { useAuth } from "../../app/auth";
import { ErrorAlert } from "../../components/page";
import { READABLE_TITLE } from "../../components/readable-title";

/** What the outbound allow-list refused: the host, and the entry that would allow it. */
export interface Refusal {
  host: string | undefined;
  /** None for a link-local or metadata address, which no entry allows. */
  allow: string | undefined;
}

/** The refusal an API error describes (OUTBOUND_REFUSED, with its details), if it is one. */
export function refusalOf(error: unknown): Refusal | undefined {
  if (!(error instanceof ApiError) || error.code !== "OUTBOUND_REFUSED") return undefined;
  const detail = error.details[0] ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return { host: text(detail["host"]), allow: text(detail["allow"]) };
}

/** The refusal in one line, for the Endpoint field. */
export function refusalText(refusal: Refusal): string {
  const host = refusal.host ?? "This host";
  return refusal.allow === undefined
    ? `${host} is a link-local or instance-metadata address: Switchboard never sends requests there`
    : `${host} is not on the org's outbound allow-list`;
}

/**
 * The outbound allow-list refused a host the connection needs (its endpoint, or an AWS host):
 * says so, and lets an org admin add the entry right here; others learn whom to ask.
 */
export function OutboundRefusal(props: { refusal: Refusal; onAllowed?: () => void }) {
  const { isAdmin } = useAuth();
  const allowOutbound = useAllowOutbound();
  const { host, allow } = props.refusal;
  const settingsLink = (
    <Anchor component={Link} to="/settings/outbound" size="sm" underline="always">
      Outbound allow-list
    </Anchor>
  );
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconWorldOff size={18} />}
      title={`The outbound allow-list refuses ${host ?? allow ?? "a host this connection needs"}`}
      role="alert"
      styles={READABLE_TITLE}
    >
      <Stack gap={6} align="flex-start">
        {allow === undefined ? (
          <Text size="sm">
            It is a link-local or instance-metadata address: Switchboard never sends requests there,
            whatever the allow-list says. Use another endpoint.
          </Text>
        ) : (
          <>
            <Text size="sm">
              Switchboard sends requests only to hosts on the org&apos;s {settingsLink}.{" "}
              {isAdmin ? (
                <>
                  Add <Code>{allow}</Code> to it to let this connection reach that host.
                </>
              ) : (
                <>
                  Ask an org admin to add <Code>{allow}</Code> to it.
                </>
              )}
            </Text>
            {isAdmin && (
              <Button
                size="xs"
                variant="light"
                loading={allowOutbound.isPending}
                onClick={() =>
                  allowOutbound.mutate(allow, {
                    onSuccess: () => {
                      notifications.show({
                        message: `${allow} added to the outbound allow-list`,
                        color: "teal",
                      });
                      props.onAllowed?.();
                    },
                  })
                }
              >
                Add {allow} to the allow-list
              </Button>
            )}
            {allowOutbound.error !== null && (
              <ErrorAlert error={allowOutbound.error} title="The allow-list was not changed" />
            )}
          </>
        )}
      </Stack>
    </Alert>
  );
}
