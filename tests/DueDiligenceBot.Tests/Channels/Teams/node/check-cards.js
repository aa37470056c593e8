// Parses and validates Adaptive Cards with Microsoft's own renderer library (npm "adaptivecards").
// Usage: node check-cards.js cards.json   (a JSON object: { "name": card, ... })
// Prints a JSON object { "name": ["error", ...], ... }; exit code 0 when it could check, 2 on bad usage.
"use strict";
const fs = require("fs");
const AC = require("adaptivecards/dist/adaptivecards.js");

const file = process.argv[2];
if (!file) { console.error("usage: node check-cards.js cards.json"); process.exit(2); }
const cards = JSON.parse(fs.readFileSync(file, "utf8"));
const result = {};
for (const [name, json] of Object.entries(cards)) {
  const errors = [];
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  context.targetVersion = AC.Versions.v1_5;
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    errors.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  const validation = card.validateProperties();
  for (const e of validation.validationEvents) {
    if (e.event === AC.ValidationEvent.Hint) continue;
    errors.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  if (json.version !== "1.5") errors.push(`version is ${json.version}, Teams bot cards use 1.5`);
  if (card.version && (card.version.major !== 1 || card.version.minor !== 5)) errors.push(`parsed version ${card.version}`);
  result[name] = errors;
}
process.stdout.write(JSON.stringify(result));
