// Validates YAML files against the published JSON Schemas with ajv.
// Usage: node validate.mjs [--expect-invalid] FILE...   (no FILE: the example repository)
// Prints one line per file ("ok FILE" or "invalid FILE: ...") and exits 1 when any result is not
// the expected one.
import Ajv from "ajv";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, basename } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const ajv = new Ajv({ allErrors: true, strict: false });
const roleSchema = ajv.compile(JSON.parse(readFileSync(join(root, "schema", "role.schema.json"), "utf8")));
const nodesSchema = ajv.compile(JSON.parse(readFileSync(join(root, "schema", "nodes.schema.json"), "utf8")));

const args = process.argv.slice(2);
const expectInvalid = args[0] === "--expect-invalid";
let files = args.filter((a) => !a.startsWith("--"));
if (files.length === 0) {
  const examples = join(root, "examples", "roles");
  files = [
    ...readdirSync(join(examples, "roles")).filter((f) => f.endsWith(".yaml")).map((f) => join(examples, "roles", f)),
    join(examples, "nodes.yaml"),
  ];
}

let failures = 0;
for (const file of files) {
  const isNodes = basename(file).startsWith("nodes") || dirname(file).endsWith("/nodes");
  const validate = isNodes ? nodesSchema : roleSchema;
  const document = YAML.parse(readFileSync(file, "utf8"));
  const valid = validate(document);
  const name = relative(root, file);
  if (valid) {
    console.log(`ok ${name}`);
  } else {
    const reasons = validate.errors.map((e) => `${e.instancePath || "/"} ${e.message}`).slice(0, 5).join("; ");
    console.log(`invalid ${name}: ${reasons}`);
  }
  if (valid === expectInvalid) {
    failures++;
  }
}
process.exit(failures === 0 ? 0 : 1);
