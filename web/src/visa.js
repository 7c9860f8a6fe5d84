// VISA-A scoring (Robinson et al., Br J Sports Med 2001;35:335): items 1–6 are 0–10, item 7 is 0/4/7/10,
// item 8 answers exactly one branch (A, B or C) with the values below. The total is the sum, 0–100.
export const ITEM7 = [0, 4, 7, 10];
export const ITEM8 = { A: [0, 7, 14, 21, 30], B: [0, 4, 10, 14, 20], C: [0, 2, 5, 7, 10] };

export function visaScore(answers) {
  return answers.reduce((sum, value) => sum + value, 0);
}

/** The questions (1–8) not answered with an allowed value, in order; item 8 needs its branch and its answer. */
export function unanswered(answers, branch, scale = { item7: ITEM7, item8: ITEM8 }) {
  const missing = [];
  for (let i = 0; i < 6; i += 1) {
    const v = answers[i];
    if (!(Number.isInteger(v) && v >= 0 && v <= 10)) missing.push(i + 1);
  }
  if (!scale.item7.includes(answers[6])) missing.push(7);
  if (!scale.item8[branch] || !scale.item8[branch].includes(answers[7])) missing.push(8);
  return missing;
}

/** Whether every item is answered with an allowed value; ``scale`` is the server's (``GET /api/v1/settings/``
 * ``visa_a``), these published values until it has been read. */
export function complete(answers, branch, scale = { item7: ITEM7, item8: ITEM8 }) {
  return answers.length === 8 && unanswered(answers, branch, scale).length === 0;
}
