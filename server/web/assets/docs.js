// The API documentation page's reference, rendered from /openapi.json in
// the page's language (<html lang>): English, or Spanish from the
// description's x-summary-es / x-description-es / x-name-es texts. Shared by
// docs.html and docs.es.html, which hold only the prose around it.
"use strict";
(function () {
  const spanish = document.documentElement.lang === "es";
  const words = spanish ? {
    oneOf: "uno de ", arrayOf: "lista de ", or: " o ", any: "cualquiera",
    minLength: "al menos %s caracteres", maxLength: "como mucho %s caracteres", minimum: "desde %s",
    maximum: "hasta %s", pattern: "cumple <code>%s</code>", default: "por omisión <code>%s</code>",
    example: "p. ej. <code>%s</code>", noFields: "Sin campos.", field: "Campo", type: "Tipo",
    description: "Descripción", required: "obligatorio", noOtherFields: "No se admiten otros campos.",
    name: "Nombre", in: "En", status: "Estado", body: "Cuerpo", headers: "Cabeceras: ", none: "ninguno",
    noCredentials: "No necesita credenciales.", credentials: "Credenciales: ", orCredentials: ", o ",
    sessionCookie: "cookie de sesión", csrfToken: "cabecera X-CSRF-Token", apiKey: "cabecera MC-Api-Key",
    overview: "Introducción", parameters: "Parámetros", requestBody: "Cuerpo de la petición",
    bodyRequired: ", obligatorio. ", responses: "Respuestas", schemas: "Esquemas",
    loadError: "No se pudo cargar /openapi.json (%s). La descripción sigue disponible en /openapi.json."
  } : {
    oneOf: "one of ", arrayOf: "array of ", or: " or ", any: "any",
    minLength: "at least %s characters", maxLength: "at most %s characters", minimum: "from %s",
    maximum: "up to %s", pattern: "matches <code>%s</code>", default: "default <code>%s</code>",
    example: "e.g. <code>%s</code>", noFields: "No fields.", field: "Field", type: "Type",
    description: "Description", required: "required", noOtherFields: "No other fields are accepted.",
    name: "Name", in: "In", status: "Status", body: "Body", headers: "Headers: ", none: "none",
    noCredentials: "No credentials needed.", credentials: "Credentials: ", orCredentials: ", or ",
    sessionCookie: "session cookie", csrfToken: "X-CSRF-Token header", apiKey: "MC-Api-Key header",
    overview: "Overview", parameters: "Parameters", requestBody: "Request body",
    bodyRequired: ", required. ", responses: "Responses", schemas: "Schemas",
    loadError: "Could not load /openapi.json (%s). The description is still available at /openapi.json."
  };
  // A human text of the description in the page's language ("summary",
  // "description" or a tag's "name"); English where no translation exists.
  function text(object, key) {
    if (!object) return undefined;
    return (spanish && object["x-" + key + "-es"]) || object[key];
  }

  const reference = document.getElementById("reference");
  const nav = document.getElementById("nav");
  let spec = null;

  for (const node of document.querySelectorAll(".origin")) node.textContent = location.origin;

  // --- small helpers -------------------------------------------------------

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  // The descriptions use a little Markdown: paragraphs, `code` and **bold**.
  function markdown(text) {
    if (!text) return "";
    return String(text).split(/\n{2,}/).map(paragraph => "<p>" + escapeHtml(paragraph)
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>") + "</p>").join("");
  }

  function element(tag, attributes, html) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    if (html !== undefined) node.innerHTML = html;
    return node;
  }

  function refName(ref) { return ref.split("/").pop(); }

  // Follows a local "#/components/…" reference.
  function resolve(node) {
    let seen = 0;
    while (node && node.$ref && seen++ < 20) {
      let target = spec;
      for (const part of node.$ref.replace(/^#\//, "").split("/")) target = target ? target[part] : undefined;
      node = target;
    }
    return node || {};
  }

  function schemaAnchor(name) { return "schema-" + name; }

  // A one-line description of a schema's type, linking named schemas.
  function typeOf(schema) {
    if (!schema) return "";
    if (schema.$ref) {
      const name = refName(schema.$ref);
      return '<a href="#' + schemaAnchor(name) + '">' + escapeHtml(name) + "</a>";
    }
    if (schema.enum) return words.oneOf + schema.enum.map(v => "<code>" + escapeHtml(JSON.stringify(v)) + "</code>").join(", ");
    if (schema.const !== undefined) return "<code>" + escapeHtml(JSON.stringify(schema.const)) + "</code>";
    const types = Array.isArray(schema.type) ? schema.type : [schema.type || words.any];
    return types.map(type => {
      if (type === "array") return words.arrayOf + typeOf(schema.items);
      if (schema.format && type !== "null") return escapeHtml(type) + " (" + escapeHtml(schema.format) + ")";
      return escapeHtml(type);
    }).join(words.or);
  }

  function constraints(schema) {
    const parts = [];
    for (const key of ["minLength", "maxLength", "minimum", "maximum", "pattern", "default", "example"]) {
      const phrase = words[key];
      if (schema[key] === undefined) continue;
      const value = typeof schema[key] === "string" ? schema[key] : JSON.stringify(schema[key]);
      parts.push(phrase.replace("%s", escapeHtml(value)));
    }
    return parts.length ? '<div class="constraints">' + parts.join("; ") + "</div>" : "";
  }

  // The fields of an object schema as a table.
  function fieldTable(schema) {
    const object = resolve(schema);
    const properties = object.properties || {};
    const required = new Set(object.required || []);
    const names = Object.keys(properties);
    if (!names.length) return "<p>" + words.noFields + "</p>";
    let html = "<table><thead><tr><th>" + words.field + "</th><th>" + words.type + "</th><th>" +
               words.description + "</th></tr></thead><tbody>";
    for (const name of names) {
      const property = properties[name];
      const shown = property.$ref ? Object.assign({}, resolve(property), property) : property;
      html += "<tr><td><code>" + escapeHtml(name) + "</code>" +
              (required.has(name) ? ' <span class="required">' + words.required + "</span>" : "") + "</td>" +
              "<td>" + typeOf(property) + "</td><td>" + markdown(text(shown, "description")) + constraints(property) + "</td></tr>";
    }
    html += "</tbody></table>";
    if (object.additionalProperties === false) html += '<p class="constraints">' + words.noOtherFields + "</p>";
    return html;
  }

  function parameterTable(parameters) {
    let html = "<table><thead><tr><th>" + words.name + "</th><th>" + words.in + "</th><th>" + words.type +
               "</th><th>" + words.description + "</th></tr></thead><tbody>";
    for (const raw of parameters) {
      const parameter = resolve(raw);
      const schema = parameter.schema || {};
      html += "<tr><td><code>" + escapeHtml(parameter.name) + "</code>" +
              (parameter.required ? ' <span class="required">' + words.required + "</span>" : "") + "</td>" +
              "<td>" + escapeHtml(parameter.in) + "</td><td>" + typeOf(schema) + "</td>" +
              "<td>" + markdown(text(parameter, "description")) + constraints(schema) +
              (parameter.example !== undefined ? '<div class="constraints">' + words.example.replace("%s",
                  escapeHtml(Array.isArray(parameter.example) ? parameter.example.join(",") : parameter.example)) +
                  "</div>" : "") + "</td></tr>";
    }
    return html + "</tbody></table>";
  }

  function responseTable(responses) {
    let html = "<table><thead><tr><th>" + words.status + "</th><th>" + words.description + "</th><th>" +
               words.body + "</th></tr></thead><tbody>";
    for (const [status, raw] of Object.entries(responses)) {
      const response = resolve(raw);
      const content = response.content || {};
      const bodies = Object.entries(content).map(([type, media]) =>
          "<code>" + escapeHtml(type) + "</code>" + (media.schema ? ": " + typeOf(media.schema) : ""));
      const headers = Object.keys(response.headers || {}).filter(name => name !== "X-Request-Id" && name !== "Content-Language");
      html += '<tr><td class="status ' + (status < "400" ? "ok" : "err") + '">' + escapeHtml(status) + "</td>" +
              "<td>" + markdown(text(response, "description")) +
              (headers.length ? '<div class="constraints">' + words.headers + headers.map(h => "<code>" + escapeHtml(h) + "</code>").join(", ") + "</div>" : "") +
              "</td><td>" + (bodies.join("<br>") || words.none) + "</td></tr>";
    }
    return html + "</tbody></table>";
  }

  function authText(operation) {
    const security = operation.security !== undefined ? operation.security : (spec.security || []);
    if (!security.length) return words.noCredentials;
    const names = {sessionCookie: words.sessionCookie, csrfToken: words.csrfToken, apiKey: words.apiKey,
                   bearer: "Authorization: Bearer"};
    return words.credentials + security.map(requirement =>
        Object.keys(requirement).map(name => names[name] || name).join(" + ")).join(words.orCredentials) + ".";
  }

  // --- the page -----------------------------------------------------------

  const methodsInOrder = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

  function render() {
    const byTag = new Map();
    for (const tag of spec.tags || []) byTag.set(tag.name, {tag, operations: []});
    for (const [path, item] of Object.entries(spec.paths || {})) {
      for (const method of methodsInOrder) {
        const operation = item[method];
        if (!operation) continue;
        const tagName = (operation.tags || ["Other"])[0];
        if (!byTag.has(tagName)) byTag.set(tagName, {tag: {name: tagName}, operations: []});
        byTag.get(tagName).operations.push({path, method, operation});
      }
    }

    reference.appendChild(element("h2", {"class": "section", id: "overview"}, words.overview));
    reference.appendChild(element("div", {}, markdown(text(spec.info, "description"))));

    for (const {tag, operations} of byTag.values()) {
      if (!operations.length) continue;
      const tagId = "tag-" + tag.name.toLowerCase();
      reference.appendChild(element("h2", {"class": "section", id: tagId}, escapeHtml(text(tag, "name"))));
      if (tag.description) reference.appendChild(element("p", {"class": "tag-note"}, escapeHtml(text(tag, "description"))));
      const navTitle = element("h2", {}, escapeHtml(text(tag, "name")));
      const navList = element("ul");
      nav.appendChild(navTitle);
      nav.appendChild(navList);

      for (const {path, method, operation} of operations) {
        const id = "op-" + (operation.operationId || method + path.replace(/[^a-zA-Z0-9]+/g, "-"));
        const box = element("article", {"class": "operation", id});
        box.appendChild(element("h3", {},
            '<span class="method ' + method + '">' + method + '</span><span class="path">' + escapeHtml(path) +
            '</span><span class="summary">' + escapeHtml(text(operation, "summary") || "") + "</span>"));
        box.appendChild(element("div", {}, markdown(text(operation, "description"))));
        box.appendChild(element("p", {"class": "auth"}, escapeHtml(authText(operation))));
        const parameters = operation.parameters || [];
        if (parameters.length) {
          box.appendChild(element("h4", {}, words.parameters));
          box.appendChild(element("div", {}, parameterTable(parameters)));
        }
        if (operation.requestBody) {
          const body = resolve(operation.requestBody);
          box.appendChild(element("h4", {}, words.requestBody));
          for (const [type, media] of Object.entries(body.content || {})) {
            box.appendChild(element("p", {}, "<code>" + escapeHtml(type) + "</code>" +
                (body.required ? words.bodyRequired : ". ") + escapeHtml(text(body, "description") || "")));
            box.appendChild(element("div", {}, fieldTable(media.schema)));
            if (media.example !== undefined)
              box.appendChild(element("pre", {}, "<code>" + escapeHtml(JSON.stringify(media.example, null, 2)) + "</code>"));
          }
        }
        box.appendChild(element("h4", {}, words.responses));
        box.appendChild(element("div", {}, responseTable(operation.responses || {})));
        reference.appendChild(box);

        const link = element("a", {href: "#" + id},
            '<span class="method ' + method + '">' + method + "</span> " + escapeHtml(path));
        const entry = element("li");
        entry.appendChild(link);
        navList.appendChild(entry);
      }
    }

    const schemas = (spec.components && spec.components.schemas) || {};
    reference.appendChild(element("h2", {"class": "section", id: "schemas"}, words.schemas));
    const schemaNav = element("ul");
    nav.appendChild(element("h2", {}, words.schemas));
    nav.appendChild(schemaNav);
    for (const [name, schema] of Object.entries(schemas)) {
      const section = element("section", {id: schemaAnchor(name)});
      section.appendChild(element("h3", {}, escapeHtml(name)));
      if (schema.description) section.appendChild(element("div", {}, markdown(text(schema, "description"))));
      if (schema.properties) section.appendChild(element("div", {}, fieldTable(schema)));
      else section.appendChild(element("p", {}, typeOf(schema)));
      reference.appendChild(section);
      const entry = element("li");
      entry.appendChild(element("a", {href: "#" + schemaAnchor(name)}, escapeHtml(name)));
      schemaNav.appendChild(entry);
    }
    if (location.hash) {
      const target = document.getElementById(location.hash.slice(1));
      if (target) target.scrollIntoView();
    }
  }

  fetch("/openapi.json", {headers: {Accept: "application/json"}})
    .then(response => {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(document_ => {
      spec = document_;
      render();
    })
    .catch(error => {
      const note = document.getElementById("load-error");
      note.hidden = false;
      note.textContent = words.loadError.replace("%s", error.message);
    });
})();
