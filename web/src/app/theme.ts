import { createTheme, type CSSVariablesResolver } from "@mantine/core";

/** Dense and calm: small controls, neutral greys, one accent. */
export const theme = createTheme({
  primaryColor: "indigo",
  // White on indigo 8 meets WCAG AA contrast; the default shade 6 does not.
  primaryShade: 8,
  defaultRadius: "sm",
  fontFamily:
    "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
  fontFamilyMonospace: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
  components: {
    Button: { defaultProps: { size: "sm" } },
    TextInput: { defaultProps: { size: "sm" } },
    Table: { defaultProps: { verticalSpacing: 6, fz: "sm" } },
  },
});

/** Dimmed text dark enough for WCAG AA contrast (4.5:1) on both schemes' backgrounds. */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { "--mantine-color-dimmed": "var(--mantine-color-gray-7)" },
  dark: { "--mantine-color-dimmed": "var(--mantine-color-dark-1)" },
});
