import { Route } from "react-router";
import { ActionRoute } from "./ActionPage";
import { ActionsPage } from "./ActionsPage";
import { PolicyPage } from "./PolicyPage";
import { RunPage } from "./RunPage";
import { RunsPage } from "./RunsPage";

/** The action catalog, running an action, its least-privilege policy, and runs. */
export const actionRoutes = (
  <>
    <Route path="actions" element={<ActionsPage />} />
    <Route path="actions/policy" element={<PolicyPage />} />
    <Route path="actions/:id" element={<ActionRoute />} />
    <Route path="runs" element={<RunsPage />} />
    <Route path="runs/:id" element={<RunPage />} />
  </>
);
