import { createTheme, type CSSVariablesResolver } from "@mantine/core";

/** Dense and calm: small controls, neutral greys, one accent. */
export const theme = createTheme({
  primaryColor: "indigo",
  // White on indigo 8 meets WCAG AA contrast; the default shade 6 does not.
  primaryShade: 8,
  defaultRadius: "sm",
  // People who ask their system for reduced motion get dialogs, menus and notifications without
  // sliding or fading (Mantine ignores the setting unless told to respect it).
  respectReducedMotion: true,
  fontFamily:
    "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  components: {
    Button: { defaultProps: { size: "sm" } },
    TextInput: { defaultProps: { size: "sm" } },
    Table: { defaultProps: { verticalSpacing: 6, fz: "sm" } },
    // The close (×) buttons have no text of their own: give them a name for screen readers.
    Modal: { defaultProps: { closeButtonProps: { "aria-label": "Close" } } },
    Drawer: { defaultProps: { closeButtonProps: { "aria-label": "Close" } } },
    Notification: { defaultProps: { closeButtonProps: { "aria-label": "Close notification" } } },
  },
});

/** Dimmed text, errors and tinted badges/alerts with WCAG AA contrast (4.5:1) on both schemes' backgrounds. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  // Field errors too: Mantine's default red (6 light, 8 dark) is below 4.5:1 on both backgrounds.
  light: {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
    // Hovering an active nav link: indigo 9 on the default indigo 2 is 4.1:1; halfway to indigo 1 is 4.7:1.
    "--mantine-color-indigo-light-hover": "#cad6ff",
    // "light" badges and alerts draw shade 6 on a tint of the same colour, below 4.5:1: darker text.
    "--mantine-color-green-light-color":
      "color-mix(in srgb, var(--mantine-color-green-9), black 40%)",
    "--mantine-color-red-light-color": "color-mix(in srgb, var(--mantine-color-red-9), black 30%)",
    "--mantine-color-orange-light-color":
      "color-mix(in srgb, var(--mantine-color-orange-9), black 40%)",
    "--mantine-color-yellow-light-color":
      "color-mix(in srgb, var(--mantine-color-yellow-9), black 50%)",
    "--mantine-color-blue-light-color":
      "color-mix(in srgb, var(--mantine-color-blue-9), black 30%)",
    "--mantine-color-gray-light-color": "var(--mantine-color-gray-8)",
    "--mantine-color-grape-light-color":
      "color-mix(in srgb, var(--mantine-color-grape-9), black 30%)",
    "--mantine-color-yellow-outline":
      "color-mix(in srgb, var(--mantine-color-yellow-9), black 50%)",
  },
  dark: {
    "--mantine-color-dimmed": "var(--mantine-color-dark-1)",
    "--mantine-color-error": "var(--mantine-color-red-4)",
    "--mantine-color-green-light-color": "var(--mantine-color-green-2)",
    "--mantine-color-red-light-color": "var(--mantine-color-red-2)",
    "--mantine-color-orange-light-color": "var(--mantine-color-orange-2)",
    "--mantine-color-yellow-light-color": "var(--mantine-color-yellow-2)",
    "--mantine-color-blue-light-color": "var(--mantine-color-blue-2)",
    "--mantine-color-gray-light-color": "var(--mantine-color-gray-2)",
    "--mantine-color-grape-light-color": "var(--mantine-color-grape-2)",
    "--mantine-color-yellow-outline": "var(--mantine-color-yellow-3)",
  },
});
