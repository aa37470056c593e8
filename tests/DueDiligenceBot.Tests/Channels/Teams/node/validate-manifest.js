// Validates a Teams app manifest against the JSON schema of the version it declares, using the schema
// files shipped in npm "@microsoft/app-manifest" (no network).
// Usage: node validate-manifest.js manifest.json ; prints JSON { "version": "1.NN", "errors": [...] }.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const file = process.argv[2];
if (!file) { console.error("usage: node validate-manifest.js manifest.json"); process.exit(2); }
const manifest = JSON.parse(fs.readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
const version = manifest.manifestVersion;
const schemaFile = path.join(path.dirname(require.resolve("@microsoft/app-manifest/package.json")),
  "build", "json-schemas", "teams", `v${version}`, "MicrosoftTeams.schema.json");
if (!fs.existsSync(schemaFile)) {
  process.stdout.write(JSON.stringify({ version, errors: [`no schema for manifestVersion ${version}`] }));
  process.exit(0);
}
const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
const ok = validate(manifest);
const errors = ok ? [] : validate.errors.map(e => `${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
if (manifest.$schema && !manifest.$schema.includes(`/v${version}/`)) errors.push(`$schema ${manifest.$schema} does not match manifestVersion ${version}`);
process.stdout.write(JSON.stringify({ version, errors }));
