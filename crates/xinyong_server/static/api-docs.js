// Starts the vendored Swagger UI on the platform's OpenAPI document
// (/api/docs). A file, not an inline script: the content security policy
// allows scripts from this origin only.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/v1/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Reading is safe to try from the page; writes need a department's
    // token and are tried from the department's own system.
    supportedSubmitMethods: ["get"],
    defaultModelsExpandDepth: 0,
    docExpansion: "list",
    validatorUrl: null,
  });
});
