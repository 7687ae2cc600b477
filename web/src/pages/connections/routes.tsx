import { Route } from "react-router";
import { AccessRequestsPage } from "./AccessRequestsPage";
import { EditConnectionPage, NewConnectionPage } from "./ConnectionFormPage";
import { ConnectionPage } from "./ConnectionPage";
import { ConnectionsPage } from "./ConnectionsPage";
import {
  PermissionsDialog,
  RemoveDialog,
  RequestAccessDialog,
  RotateExternalIdDialog,
} from "./dialogs";

/** Every view has its URL; the dialogs too, so a link or the back button reaches them. */
export const connectionRoutes = (
  <Route path="connections">
    <Route index element={<ConnectionsPage />} />
    <Route path="new" element={<NewConnectionPage />} />
    <Route path="requests" element={<AccessRequestsPage />} />
    <Route path=":name" element={<ConnectionPage />}>
      <Route path="permissions" element={<PermissionsDialog />} />
      <Route path="remove" element={<RemoveDialog />} />
      <Route path="request-access" element={<RequestAccessDialog />} />
      <Route path="rotate-external-id" element={<RotateExternalIdDialog />} />
    </Route>
    <Route path=":name/edit" element={<EditConnectionPage />} />
  </Route>
);
