// GOV.UK Frontend's components (error summary focus, details, buttons). The pages work without this file;
// it replaces the template's inline script, which the content security policy does not allow.
import { initAll } from "./vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();
