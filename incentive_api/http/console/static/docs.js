/* Swagger UI over /openapi.yaml. "Try it out" sends the key this tab holds, as X-API-Key, unless the
   Authorize dialog set one; the key is never written into the spec, a URL or local storage. */
"use strict";

window.ui = SwaggerUIBundle({
  url: "/openapi.yaml",
  dom_id: "#swagger-ui",
  deepLinking: false,
  validatorUrl: null,
  persistAuthorization: false,
  showMutatedRequest: false,  // the curl line shows the request as typed, not with the tab's key added
  requestInterceptor(request) {
    const key = Console.key();
    const headers = request.headers || {};
    if (key && !headers.Authorization && !headers["X-API-Key"]) headers["X-API-Key"] = key;
    request.headers = headers;
    return request;
  },
});
