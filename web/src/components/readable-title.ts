// Light alerts colour their title like the icon; teal and yellow titles miss WCAG AA contrast.
export const READABLE_TITLE = { title: { color: "var(--mantine-color-text)" } };
