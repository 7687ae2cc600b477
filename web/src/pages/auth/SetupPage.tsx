import { Button, Center, Code, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api, unwrap } from "../../api/client";
import { fieldError, otherError } from "../../components/field-errors";
import { ErrorAlert } from "../../components/page";

/** The one-time link from `switchboard users add` or the first start: /setup#token=… */
export function SetupPage() {
  const navigate = useNavigate();
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = repeat !== "" && repeat !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (token === null || mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await unwrap(api.POST("/api/v1/auth/setup", { body: { token, password } }));
      // The token is spent: drop it from the address bar and history.
      window.history.replaceState(null, "", "/setup");
      void navigate("/login?setup=done", { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder p="xl" w="100%" maw={420} radius="md">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={1} fz="h3">
              Set your password
            </Title>
            {token === null ? (
              <Text size="sm">
                This page needs the one-time link you were given (it ends in <Code>#token=…</Code>).
                A link works once and for 24 hours. On a new install, the link for the first user,{" "}
                <Code>admin</Code>, is in the server&apos;s log, and each start of the server logs a
                new one while admin has no password; anyone else asks an admin for a new one.
              </Text>
            ) : (
              <>
                <Text size="sm">
                  The link sets the password of the user it was made for: on a new install, the
                  first user <Code>admin</Code> of the organization <Code>default</Code> (the link
                  the server logged at its start); otherwise the user name an admin created for you.
                  Sign in with that name afterwards.
                </Text>
                {otherError(error, ["password"]) !== null && (
                  <ErrorAlert error={error} title="Could not set the password" />
                )}
                <PasswordInput
                  label="New password"
                  description="At least 12 characters"
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  required
                  autoFocus
                  autoComplete="new-password"
                  // A refused password is explained on its input, without the API's body.password.
                  error={fieldError(error, "password")}
                />
                <PasswordInput
                  label="Repeat the password"
                  value={repeat}
                  onChange={(e) => setRepeat(e.currentTarget.value)}
                  required
                  autoComplete="new-password"
                  error={mismatch ? "The two passwords differ" : undefined}
                />
                <Button type="submit" loading={busy} disabled={mismatch} fullWidth>
                  Set password
                </Button>
              </>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
