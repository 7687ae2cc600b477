import "@mantine/core/styles.layer.css";
import "@mantine/notifications/styles.layer.css";
import "mantine-datatable/styles.layer.css";
import "./app/global.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
import { keepFocusAcrossLoading } from "./app/keep-focus";

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root element");
keepFocusAcrossLoading(document.body);
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
