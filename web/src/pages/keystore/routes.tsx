import { Route } from "react-router";
import { KeystorePage } from "./KeystorePage";

export const keystoreRoutes = <Route path="keystore" element={<KeystorePage />} />;
