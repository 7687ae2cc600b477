import { Route } from "react-router";
import { ActionRoute } from "./ActionPage";
import { ActionsPage } from "./ActionsPage";
import { PolicyPage } from "./PolicyPage";

/** The action catalog, running an action, and its least-privilege policy (runs: pages/runs). */
export const actionRoutes = (
  <>
    <Route path="actions" element={<ActionsPage />} />
    <Route path="actions/policy" element={<PolicyPage />} />
    <Route path="actions/:id" element={<ActionRoute />} />
  </>
);
