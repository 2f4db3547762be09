// The web panel: a sign-in page and User Settings (API credentials, users),
// plain HTML/CSS/JS embedded from server/web/assets/. The page talks only to
// the public /v1 API, like any other client.
#include "server/web/asset_response.h"
#include "server/web/pages.h"

namespace keyledger::server {
namespace {

// The panel runs only its own files: no inline script or style, nothing
// from another origin, no framing (clickjacking), no plugins, and forms
// post nowhere but here. connect-src 'self' is what fetch() to /v1 needs.
constexpr std::string_view kPanelPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

}  // namespace

std::span<const PanelFile> panel_files() {
  static constexpr PanelFile kFiles[] = {
      {"/", "index.html", "text/html; charset=utf-8"},
      {"/app.js", "app.js", "text/javascript; charset=utf-8"},
      {"/i18n.js", "i18n.js", "text/javascript; charset=utf-8"},
      {"/app.css", "app.css", "text/css; charset=utf-8"},
      {"/favicon.svg", "favicon.svg", "image/svg+xml"},
      // The API documentation's script and style, shared by both of its
      // languages (docs_page serves the pages).
      {"/docs.js", "docs.js", "text/javascript; charset=utf-8"},
      {"/docs.css", "docs.css", "text/css; charset=utf-8"},
  };
  return kFiles;
}

HttpResponse panel_file_response(const Exchange& exchange, const PanelFile& file) {
  HttpResponse response = asset_response(exchange, file.asset, file.content_type);
  response.set("Content-Security-Policy", kPanelPolicy);
  response.set("X-Frame-Options", "DENY");
  // The panel's URLs carry nothing secret, but neither should other sites
  // learn where a person came from.
  response.set("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace keyledger::server
