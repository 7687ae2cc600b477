export { API_PREFIX, buildApp, type AppDeps } from "./app.js";
export { errorBodySchema, type ErrorBody } from "./error-body.js";
